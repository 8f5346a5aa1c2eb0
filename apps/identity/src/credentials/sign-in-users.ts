import { Injectable } from '@nestjs/common';
import { InvalidEmail, normaliseEmail } from '../email-reservation/email.js';
import { emailReservationStream } from '../email-reservation/email-reservation.events.js';
import { EmailReservationRepository } from '../email-reservation/email-reservation.repository.js';
import { userStream } from '../users/user.events.js';
import { UserRepository } from '../users/user.repository.js';
import type { RegisteredUser } from '../users/user-view.js';

/** The user an address typed at sign-in belongs to, shared by the sign-in's two steps. */
@Injectable()
export class SignInUsers {
  constructor(
    private readonly users: UserRepository,
    private readonly reservations: EmailReservationRepository,
  ) {}

  /** Unknown, malformed, or reserved by a registration that never completed: no user. */
  async find(typedEmail: string): Promise<RegisteredUser | undefined> {
    let email;
    try {
      email = normaliseEmail(typedEmail);
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
