import { Controller, type OnModuleInit } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { DomainError, IdentityRpc, type ParsedRequestOf, type UserView } from '#contracts';
import { answer } from '#messaging';
import { emailReservationStream, InvalidEmail, normaliseEmail } from '../email-reservation/email.js';
import { EmailReservationRepository } from '../email-reservation/email-reservation.repository.js';
import { PasswordHasher } from '../passwords/password-hasher.js';
import { userStream } from '../users/user.decider.js';
import { UserRepository } from '../users/user.repository.js';
import { toUserView, type RegisteredUser } from '../users/user-view.js';

/** One answer for an unknown email and a wrong password, so neither tells which addresses are registered. */
export class InvalidCredentials extends DomainError {
  constructor() {
    super('invalid_credentials', 'email or password is incorrect');
  }
}

@Controller()
export class VerifyCredentialsController implements OnModuleInit {
  constructor(
    private readonly users: UserRepository,
    private readonly reservations: EmailReservationRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  /** The dummy hash is made now, so the first unknown-email login costs what every other one does. */
  onModuleInit(): Promise<void> {
    return this.hasher.prepare();
  }

  @MessagePattern(IdentityRpc.verifyCredentials.pattern)
  verifyCredentials(@Payload() payload: unknown) {
    return answer(IdentityRpc.verifyCredentials, payload, (request) => this.verify(request));
  }

  private async verify({ email, password }: ParsedRequestOf<typeof IdentityRpc.verifyCredentials>): Promise<UserView> {
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
