import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { UserView } from '#contracts';
import { UserNotFound } from '../users/user.errors.js';
import { userStream } from '../users/user.events.js';
import { UserRepository } from '../users/user.repository.js';
import { toUserView } from '../users/user-view.js';
import { GetUserQuery } from './get-user.query.js';

@QueryHandler(GetUserQuery)
export class GetUserHandler implements IQueryHandler<GetUserQuery> {
  constructor(private readonly users: UserRepository) {}

  async execute({ request: { userId } }: GetUserQuery): Promise<UserView> {
    const { state } = await this.users.load(userStream(userId));
    if (state.status !== 'registered') throw new UserNotFound();
    return toUserView(state);
  }
}
