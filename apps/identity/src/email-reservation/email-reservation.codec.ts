import { eventCodec } from '#event-store';
import type { EmailReservationEvent } from './email-reservation.events.js';

export const emailReservationEventCodec = eventCodec<EmailReservationEvent>({
  currentVersions: { EmailReserved: 1 },
});
