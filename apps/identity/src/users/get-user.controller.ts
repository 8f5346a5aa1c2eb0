import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { IdentityRpc, type ParsedRequestOf, type UserView } from '#contracts';
import { answer } from '#messaging';
import { UserNotFound, userStream } from './user.decider.js';
import { UserRepository } from './user.repository.js';
import { toUserView } from './user-view.js';

@Controller()
export class GetUserController {
  constructor(private readonly users: UserRepository) {}

  @MessagePattern(IdentityRpc.getUser.pattern)
  getUser(@Payload() payload: unknown) {
    return answer(IdentityRpc.getUser, payload, (request) => this.find(request));
  }

  private async find({ userId }: ParsedRequestOf<typeof IdentityRpc.getUser>): Promise<UserView> {
    const { state } = await this.users.load(userStream(userId));
    if (state.status !== 'registered') throw new UserNotFound();
    return toUserView(state);
  }
}
