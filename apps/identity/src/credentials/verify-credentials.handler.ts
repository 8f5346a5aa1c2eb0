import type { OnModuleInit } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { UserView } from '#contracts';
import { InvalidEmail, normaliseEmail } from '../email-reservation/email.js';
import { emailReservationStream } from '../email-reservation/email-reservation.events.js';
import { EmailReservationRepository } from '../email-reservation/email-reservation.repository.js';
import { PasswordHasher } from '../passwords/password-hasher.js';
import { InvalidCredentials } from '../users/user.errors.js';
import { userStream } from '../users/user.events.js';
import { UserRepository } from '../users/user.repository.js';
import { toUserView, type RegisteredUser } from '../users/user-view.js';
import { VerifyCredentialsQuery } from './verify-credentials.query.js';

/** A read: the password is checked against the stored hash, and nothing is written. */
@QueryHandler(VerifyCredentialsQuery)
export class VerifyCredentialsHandler implements IQueryHandler<VerifyCredentialsQuery>, OnModuleInit {
  constructor(
    private readonly users: UserRepository,
    private readonly reservations: EmailReservationRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  /** The dummy hash is made now, so the first unknown-email login costs what every other one does. */
  onModuleInit(): Promise<void> {
    return this.hasher.prepare();
  }

  async execute({ request: { email, password } }: VerifyCredentialsQuery): Promise<UserView> {
    const user = await this.findUser(email);
    // Exactly one argon2 verify on every path: the reply time does not tell an unknown address either.
    const matches = user
      ? await this.hasher.verify(user.passwordHash, password)
      : await this.hasher.verifyAgainstDummy(password);
    if (!user || !matches) throw new InvalidCredentials();
    return toUserView(user);
  }

  /** Unknown, malformed, or reserved by a registration that never completed: no user. */
  private async findUser(rawEmail: string): Promise<RegisteredUser | undefined> {
    let email;
    try {
      email = normaliseEmail(rawEmail);
    } catch (error) {
      if (error instanceof InvalidEmail) return undefined;
      throw error;
    }
    const reservation = await this.reservations.load(emailReservationStream(email));
    if (reservation.state.status !== 'reserved') return undefined;
    const { state } = await this.users.load(userStream(reservation.state.userId));
    return state.status === 'registered' ? state : undefined;
  }
}
