import type { EmailReserved } from './email-reservation.events.js';

export type ReserveEmail = {
  readonly type: 'ReserveEmail';
  readonly data: Omit<EmailReserved['data'], 'reservedAt'> & { readonly now: Date };
};

export type EmailReservationCommand = ReserveEmail;
