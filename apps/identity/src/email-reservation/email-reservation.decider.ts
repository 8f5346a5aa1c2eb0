import { assertNever } from '#contracts';
import type { Decider } from '#event-store';
import type { NormalisedEmail } from './email.js';
import type { EmailReservationCommand } from './email-reservation.commands.js';
import { EmailTaken } from './email-reservation.errors.js';
import type { EmailReservationEvent } from './email-reservation.events.js';

export type EmailReservationState =
  | { readonly status: 'free' }
  | { readonly status: 'reserved'; readonly email: NormalisedEmail; readonly userId: string };

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
        return [{ type: 'EmailReserved', data: { email, userId, reservedAt: now.toISOString() } }];
      }
      default:
        return assertNever(command.type);
    }
  },

  evolve(_state: EmailReservationState, event: EmailReservationEvent): EmailReservationState {
    switch (event.type) {
      case 'EmailReserved':
        return { status: 'reserved', email: event.data.email, userId: event.data.userId };
      default:
        return assertNever(event.type);
    }
  },
} satisfies Decider<EmailReservationCommand, EmailReservationEvent, EmailReservationState>;
