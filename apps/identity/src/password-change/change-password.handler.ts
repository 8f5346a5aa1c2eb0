import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { IdentityRpc, ResponseOf } from '#contracts';
import { CLOCK, type Clock } from '#config';
import { PasswordHasher } from '../passwords/password-hasher.js';
import { checkPasswordPolicy } from '../passwords/password-policy.js';
import { InvalidCredentials, UserNotFound } from '../users/user.errors.js';
import { userStream } from '../users/user.events.js';
import { UserRepository } from '../users/user.repository.js';
import { ChangePasswordCommand } from './change-password.command.js';

/** The signed-in user's new password, once they prove the current one. */
@CommandHandler(ChangePasswordCommand)
export class ChangePasswordHandler implements ICommandHandler<ChangePasswordCommand> {
  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ request }: ChangePasswordCommand): Promise<ResponseOf<typeof IdentityRpc.changePassword>> {
    const now = this.clock.now();
    const { userId, currentPassword, newPassword } = request;
    const stream = userStream(userId);
    const { state: user } = await this.users.load(stream);
    if (user.status !== 'registered') throw new UserNotFound();
    if (!(await this.hasher.verify(user.passwordHash, currentPassword))) throw new InvalidCredentials();
    checkPasswordPolicy(newPassword, { email: user.email });
    const passwordHash = await this.hasher.hash(newPassword);
    await this.users.handle(stream, {
      type: 'ChangePassword',
      data: { verifiedHash: user.passwordHash, passwordHash, now },
    });
    return { changedAt: now.toISOString() };
  }
}
