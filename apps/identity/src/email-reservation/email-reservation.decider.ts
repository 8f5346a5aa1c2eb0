import { DomainError } from '#contracts';
import type { Decider } from '#event-store';
import type { NormalisedEmail } from './email.js';

/**
 * One stream per email address (`emailReservationStream`). The first
 * reservation is appended with expected revision `no_stream`, so of two
 * concurrent registrations for the same address exactly one wins; the loser
 * re-reads, sees the reservation and answers `email_taken`.
 */

export type EmailReserved = {
  readonly type: 'EmailReserved';
  readonly data: {
    readonly schemaVersion: 1;
    readonly email: NormalisedEmail;
    readonly userId: string;
    readonly reservedAt: string;
  };
};

export type EmailReservationEvent = EmailReserved;

export type ReserveEmail = {
  readonly type: 'ReserveEmail';
  readonly data: { readonly email: NormalisedEmail; readonly userId: string; readonly now: Date };
};

export type EmailReservationCommand = ReserveEmail;

export type EmailReservationState =
  | { readonly status: 'free' }
  | { readonly status: 'reserved'; readonly email: NormalisedEmail; readonly userId: string };

export class EmailTaken extends DomainError {
  constructor() {
    super('email_taken', 'a user with this email address already exists');
  }
}

export const emailReservationDecider = {
  initialState: (): EmailReservationState => ({ status: 'free' }),

  decide(command: EmailReservationCommand, state: EmailReservationState): EmailReservationEvent[] {
    switch (command.type) {
      case 'ReserveEmail': {
        const { email, userId, now } = command.data;
        if (state.status === 'reserved') {
          // The same user asking again is a retry of a registration that got this far.
          if (state.userId === userId) return [];
          throw new EmailTaken();
        }
        return [{ type: 'EmailReserved', data: { schemaVersion: 1, email, userId, reservedAt: now.toISOString() } }];
      }
      default: {
        const unknown: never = command.type;
        throw new Error(`unknown command ${String(unknown)}`);
      }
    }
  },

  evolve(state: EmailReservationState, event: EmailReservationEvent): EmailReservationState {
    switch (event.type) {
      case 'EmailReserved':
        return { status: 'reserved', email: event.data.email, userId: event.data.userId };
      default: {
        const unknown: never = event.type;
        throw new Error(`unknown event ${String(unknown)}`);
      }
    }
  },
} satisfies Decider<EmailReservationCommand, EmailReservationEvent, EmailReservationState>;
