import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DomainError, type UserView, normaliseRoles } from '#contracts';
import { emailReservationStream, normaliseEmail, type NormalisedEmail } from '../email-reservation/email.js';
import { EmailTaken } from '../email-reservation/email-reservation.decider.js';
import { EmailReservationRepository } from '../email-reservation/email-reservation.repository.js';
import { organisationStream } from '../organisations/organisation.decider.js';
import { OrganisationRepository } from '../organisations/organisation.repository.js';
import { PasswordHasher } from '../passwords/password-hasher.js';
import { checkPasswordPolicy } from '../passwords/password-policy.js';
import { UserAlreadyExists, userStream } from '../users/user.decider.js';
import { UserRepository } from '../users/user.repository.js';
import { toUserView } from '../users/user-view.js';

export class OrganisationNotFound extends DomainError {
  constructor() {
    super('not_found', 'organisation not found');
  }
}

/** A new user's credentials after every check, ready to be written: nothing was written yet. */
export interface PreparedUser {
  readonly email: NormalisedEmail;
  readonly passwordHash: string;
  readonly roles: readonly string[];
}

export interface NewUser {
  readonly orgId: string;
  readonly email: string;
  readonly password: string;
  readonly roles: readonly string[];
  /** The admin who registers the user; kept in the event's metadata for audit. */
  readonly registeredBy: string;
}

/**
 * Registration is two appends to two streams: the email reservation
 * (`email-<sha256>`, holding the user id, appended at `no_stream`: one address,
 * one account) and then `UserRegistered` in `user-<id>`.
 *
 * A crash between the two leaves a reservation whose user stream is empty. That
 * address logs in as an unknown one, and the next registration of it *adopts*
 * the reserved user id instead of answering `email_taken`. Every writer of
 * `user-<id>` holds the reservation of the same address, and all of them append
 * `UserRegistered` at `no_stream`: of an adopter and a registration that was
 * only slow, exactly one wins, the other answers `email_taken`. No lease, no
 * clock, no compensation event.
 */
@Injectable()
export class UserRegistration {
  constructor(
    private readonly users: UserRepository,
    private readonly reservations: EmailReservationRepository,
    private readonly organisations: OrganisationRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  async register(user: NewUser): Promise<UserView> {
    const organisation = await this.organisations.load(organisationStream(user.orgId));
    if (organisation.state.status !== 'created') throw new OrganisationNotFound();
    const prepared = await this.prepare(user);
    const userId = await this.reserveEmail(prepared.email);
    return this.complete(userId, prepared, { orgId: user.orgId, registeredBy: user.registeredBy });
  }

  /** Checks the address, password policy and roles, then hashes: a refusal leaves no trace. */
  async prepare(user: Pick<NewUser, 'email' | 'password' | 'roles'>): Promise<PreparedUser> {
    const email = normaliseEmail(user.email);
    checkPasswordPolicy(user.password, { email });
    const roles = normaliseRoles(user.roles);
    return { email, roles, passwordHash: await this.hasher.hash(user.password) };
  }

  /** The user id the address is reserved for: a new one, or that of an interrupted registration. */
  async reserveEmail(email: NormalisedEmail): Promise<string> {
    const stream = emailReservationStream(email);
    const candidate = randomUUID();
    try {
      await this.reservations.handle(stream, {
        type: 'ReserveEmail',
        data: { email, userId: candidate, now: new Date() },
      });
      return candidate;
    } catch (error) {
      if (!(error instanceof EmailTaken)) throw error;
    }
    const { state } = await this.reservations.load(stream);
    if (state.status !== 'reserved') throw new Error(`${stream}: refused as taken but reads as free`);
    const holder = await this.users.load(userStream(state.userId));
    if (holder.state.status === 'registered') throw new EmailTaken();
    return state.userId;
  }

  /** Appends `UserRegistered`; `registeredBy` null: the installation's bootstrap registers its first admin. */
  async complete(
    userId: string,
    user: PreparedUser,
    { orgId, registeredBy }: { readonly orgId: string; readonly registeredBy: string | null },
  ): Promise<UserView> {
    try {
      const { state } = await this.users.handle(
        userStream(userId),
        { type: 'RegisterUser', data: { userId, orgId, ...user, now: new Date() } },
        { metadata: { registeredBy } },
      );
      if (state.status !== 'registered') throw new Error(`user-${userId}: not registered after RegisterUser`);
      return toUserView(state);
    } catch (error) {
      // Only registrations of this same address write this stream (see above): another one won.
      if (error instanceof UserAlreadyExists) throw new EmailTaken();
      throw error;
    }
  }
}
