import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { IdentityRpc, ResponseOf } from '#contracts';
import { CLOCK, type Clock } from '#config';
import { refusalBeforeCheck } from '../password-attempts/password-attempts.js';
import { PasswordHasher } from '../passwords/password-hasher.js';
import { checkPasswordPolicy } from '../passwords/password-policy.js';
import { rejectionOf } from '../users/user.decider.js';
import { InvalidCredentials, UserNotFound } from '../users/user.errors.js';
import { userStream } from '../users/user.events.js';
import { UserRepository } from '../users/user.repository.js';
import { ChangePasswordCommand } from './change-password.command.js';

/**
 * The signed-in user's new password, once they prove the current one. The
 * current password is a password attempt like a sign-in's: refused without a
 * look while a delay runs or the account is locked, and a wrong one is
 * recorded and counted, so a stolen session does not make a guessing oracle.
 * A code, when MFA is active, is the gateway's to check (with the mfa service)
 * before it asks: a wrong code never reaches this.
 */
@CommandHandler(ChangePasswordCommand)
export class ChangePasswordHandler implements ICommandHandler<ChangePasswordCommand> {
  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ request }: ChangePasswordCommand): Promise<ResponseOf<typeof IdentityRpc.changePassword>> {
    const now = this.clock.now();
    const { userId, currentPassword, newPassword, context } = request;
    const stream = userStream(userId);
    const { state: user } = await this.users.load(stream);
    if (user.status !== 'registered') throw new UserNotFound();
    const early = refusalBeforeCheck(user.failures, now, this.users.throttle);
    if (early) throw early;
    if (!(await this.hasher.verify(user.passwordHash, currentPassword))) {
      const { events } = await this.users.handle(stream, {
        type: 'CheckPassword',
        data: { check: { outcome: 'wrong_password' }, context, now },
      });
      throw rejectionOf(events) ?? new InvalidCredentials();
    }
    checkPasswordPolicy(newPassword, { email: user.email });
    const passwordHash = await this.hasher.hash(newPassword);
    await this.users.handle(stream, {
      type: 'ChangePassword',
      data: { verifiedHash: user.passwordHash, passwordHash, now },
    });
    return { changedAt: now.toISOString() };
  }
}
