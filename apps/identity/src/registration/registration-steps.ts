import { Injectable, type OnModuleInit } from '@nestjs/common';
import { normaliseRoles, type UserView } from '#contracts';
import { normaliseEmail, type NormalisedEmail } from '../email-reservation/email.js';
import { EmailTaken } from '../email-reservation/email-reservation.errors.js';
import { emailReservationStream } from '../email-reservation/email-reservation.events.js';
import { EmailReservationRepository } from '../email-reservation/email-reservation.repository.js';
import { PasswordHasher } from '../passwords/password-hasher.js';
import { checkPasswordPolicy, preloadCommonPasswords } from '../passwords/password-policy.js';
import { UserAlreadyExists } from '../users/user.errors.js';
import { userStream } from '../users/user.events.js';
import { UserRepository } from '../users/user.repository.js';
import { toUserView } from '../users/user-view.js';

export interface NewUserCredentials {
  readonly email: string;
  readonly password: string;
  readonly roles: readonly string[];
}

/** A new user's credentials after every check, ready to be written: nothing was written yet. */
export interface PreparedUser {
  readonly email: NormalisedEmail;
  readonly passwordHash: string;
  readonly roles: readonly string[];
}

/**
 * The steps that make a user, shared by the three processes that make one
 * (registration, organisation creation, the installation bootstrap), each of
 * which tells its own crash story. Two writes, each idempotent:
 *
 * - `reserveEmail`: `EmailReserved` in `email-<sha256>` at `no_stream` (one
 *   address, one account). A reservation whose user stream is still empty was
 *   left by a process that stopped before `register`: it is adopted, not
 *   refused, so retrying the process completes it.
 * - `register`: `UserRegistered` in `user-<id>` at `no_stream`. Every writer of
 *   that stream holds the reservation of the same address, so of an adopter and
 *   a process that was only slow exactly one wins; the other answers
 *   `email_taken`. No lease, no clock, no compensation event.
 */
@Injectable()
export class RegistrationSteps implements OnModuleInit {
  constructor(
    private readonly users: UserRepository,
    private readonly reservations: EmailReservationRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  /** The list of common passwords is read now, not during the first registration or password change. */
  onModuleInit(): void {
    preloadCommonPasswords();
  }

  /** The address, password policy and roles: every refusal before anything is hashed or written. */
  check(user: NewUserCredentials): Omit<PreparedUser, 'passwordHash'> {
    const email = normaliseEmail(user.email);
    checkPasswordPolicy(user.password, { email });
    return { email, roles: normaliseRoles(user.roles) };
  }

  async prepare(user: NewUserCredentials): Promise<PreparedUser> {
    const checked = this.check(user);
    return { ...checked, passwordHash: await this.hasher.hash(user.password) };
  }

  /**
   * The user id the address is reserved for: `candidateId` if it was free (or
   * already held by it), or that of an interrupted registration of it.
   */
  async reserveEmail(email: NormalisedEmail, candidateId: string, now: Date): Promise<string> {
    const stream = emailReservationStream(email);
    try {
      await this.reservations.handle(stream, { type: 'ReserveEmail', data: { email, userId: candidateId, now } });
      return candidateId;
    } catch (error) {
      if (!(error instanceof EmailTaken)) throw error;
    }
    const { state } = await this.reservations.load(stream);
    if (state.status !== 'reserved') throw new Error(`${stream}: refused as taken but reads as free`);
    const holder = await this.users.load(userStream(state.userId));
    if (holder.state.status === 'registered') throw new EmailTaken();
    return state.userId;
  }

  /**
   * `registeredBy` (kept in the metadata, for audit) is null for the admin the
   * installation's bootstrap registers, whose password the operator chose;
   * anyone else's was chosen by the admin registering them, so they must change
   * it at the first sign-in.
   */
  async register(
    userId: string,
    user: PreparedUser,
    { orgId, registeredBy, now }: { readonly orgId: string; readonly registeredBy: string | null; readonly now: Date },
  ): Promise<UserView> {
    try {
      const { state } = await this.users.handle(
        userStream(userId),
        { type: 'RegisterUser', data: { userId, orgId, ...user, passwordChangeRequired: registeredBy !== null, now } },
        { metadata: { registeredBy } },
      );
      if (state.status !== 'registered') throw new Error(`${userStream(userId)}: not registered after RegisterUser`);
      return toUserView(state);
    } catch (error) {
      // Only processes holding this address's reservation write this stream (see above): another one won.
      if (error instanceof UserAlreadyExists) throw new EmailTaken();
      throw error;
    }
  }
}
