import { Inject, Logger, type OnModuleInit } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError, type SignInView } from '#contracts';
import { CLOCK, type Clock } from '#config';
import { accountLockouts, passwordChecks } from '#observability';
import type { AttemptContext } from '../password-attempts/password-attempts.js';
import { refusalBeforeCheck } from '../password-attempts/password-attempts.js';
import { PasswordHasher } from '../passwords/password-hasher.js';
import { unregisteredAddressStream } from '../unregistered-address/unregistered-address.events.js';
import { rejectionOf as addressRejectionOf } from '../unregistered-address/unregistered-address.decider.js';
import { UnregisteredAddressRepository } from '../unregistered-address/unregistered-address.repository.js';
import type { PasswordCheck } from '../users/user.commands.js';
import { rejectionOf as userRejectionOf } from '../users/user.decider.js';
import { userStream } from '../users/user.events.js';
import { UserRepository } from '../users/user.repository.js';
import { toUserView, type RegisteredUser } from '../users/user-view.js';
import { SignInUsers } from './sign-in-users.js';
import { VerifyCredentialsCommand } from './verify-credentials.command.js';

const logger = new Logger('VerifyCredentials');

/**
 * `identity.verify-credentials`, the password step of a sign-in. For a user
 * and for an address nobody has alike:
 *
 * 1. A delay still running or a lock: refused (`too_many_attempts`,
 *    `account_locked`) before the password is looked at. Nothing is written.
 * 2. The organisation refuses the client's address (`addressAllowed: false`):
 *    a failure with reason `ip_not_allowed` is appended and `ip_not_allowed`
 *    answered, the password not looked at.
 * 3. One argon2 verify, against the user's hash or a dummy one.
 * 4. The outcome decided on the stream as it is now, at its expected revision:
 *    a failure is appended before `invalid_credentials` is answered; a success
 *    after failures resets the count. An attempt that raced past step 1 is
 *    refused for the delay once the failures before it have landed, so a burst
 *    of parallel guesses gets no more answers than guesses one at a time.
 * 5. A success whose hash was made with weaker parameters is re-hashed.
 *
 * Either path reads two streams, verifies once and appends once on a failure,
 * so neither the answer nor its time tells a registered address from another.
 * Writes under a password-spraying run: one event per counted failure (the
 * argon2 verify it follows costs far more than the append); none for refusals
 * of steps 1, which only read.
 */
@CommandHandler(VerifyCredentialsCommand)
export class VerifyCredentialsHandler implements ICommandHandler<VerifyCredentialsCommand>, OnModuleInit {
  constructor(
    private readonly signInUsers: SignInUsers,
    private readonly users: UserRepository,
    private readonly addresses: UnregisteredAddressRepository,
    private readonly hasher: PasswordHasher,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The dummy hash is made now, so the first unknown-email login costs what every other one does. */
  onModuleInit(): Promise<void> {
    return this.hasher.prepare();
  }

  /** Counted by outcome (`totp_mfa_password_checks_total`): ok, or the refusal's code. */
  async execute(command: VerifyCredentialsCommand): Promise<SignInView> {
    try {
      const view = await this.verify(command);
      passwordChecks.inc({ outcome: 'ok' });
      return view;
    } catch (error) {
      passwordChecks.inc({ outcome: error instanceof DomainError ? error.code : 'internal_error' });
      throw error;
    }
  }

  private async verify({
    request: { email, password, addressAllowed, context },
  }: VerifyCredentialsCommand): Promise<SignInView> {
    const now = this.clock.now();
    const user = await this.signInUsers.find(email);
    if (!user) return this.refuseUnregistered(email, password, addressAllowed, context, now);

    const early = refusalBeforeCheck(user.failures, now, this.users.throttle);
    if (early) throw early;
    const check: PasswordCheck = !addressAllowed
      ? { outcome: 'ip_not_allowed' }
      : (await this.hasher.verify(user.passwordHash, password))
        ? { outcome: 'matched', verifiedHash: user.passwordHash }
        : { outcome: 'wrong_password' };
    const { events, state } = await this.users.handle(userStream(user.userId), {
      type: 'CheckPassword',
      data: { check, context, now },
    });
    if (events.some((event) => event.type === 'UserLocked')) accountLockouts.inc();
    const rejection = userRejectionOf(events);
    if (rejection) throw rejection;
    if (state.status !== 'registered') throw new Error(`${userStream(user.userId)}: not registered after a sign-in`);
    if (check.outcome === 'matched') await this.rehashIfWeaker(state, password, now);
    return { ...toUserView(state), passwordChangeRequired: state.passwordChangeRequired };
  }

  /** The same steps on the address's own stream: every password is wrong there. */
  private async refuseUnregistered(
    email: string,
    password: string,
    addressAllowed: boolean,
    context: AttemptContext,
    now: Date,
  ): Promise<never> {
    const stream = unregisteredAddressStream(email);
    const { state } = await this.addresses.load(stream);
    const early = refusalBeforeCheck(state.failures, now, this.addresses.throttle);
    if (early) throw early;
    if (addressAllowed) await this.hasher.verifyAgainstDummy(password);
    const { events } = await this.addresses.handle(stream, {
      type: 'RecordFailedPassword',
      data: { reason: addressAllowed ? 'wrong_password' : 'ip_not_allowed', context, now },
    });
    throw addressRejectionOf(events);
  }

  /**
   * After the sign-in succeeded: it still succeeds if this fails (a full hasher
   * queue, a conflict), and the next sign-in tries again.
   */
  private async rehashIfWeaker(user: RegisteredUser, password: string, now: Date): Promise<void> {
    if (!this.hasher.needsRehash(user.passwordHash)) return;
    try {
      const passwordHash = await this.hasher.hash(password);
      await this.users.handle(userStream(user.userId), {
        type: 'RehashPassword',
        data: { verifiedHash: user.passwordHash, passwordHash, now },
      });
    } catch (error) {
      logger.warn(`password of user ${user.userId} not re-hashed: ${error instanceof Error ? error.name : 'error'}`);
    }
  }
}
