import { Inject, Injectable } from '@nestjs/common';
import { AggregateRepository, EVENT_STORE, type EventStore, eventCodec } from '#event-store';
import {
  emailReservationDecider,
  type EmailReservationCommand,
  type EmailReservationEvent,
  type EmailReservationState,
} from './email-reservation.decider.js';

export const emailReservationEventCodec = eventCodec<EmailReservationEvent>({
  currentVersions: { EmailReserved: 1 },
});

/** `email-<sha256>` streams. */
@Injectable()
export class EmailReservationRepository extends AggregateRepository<
  EmailReservationCommand,
  EmailReservationEvent,
  EmailReservationState
> {
  constructor(@Inject(EVENT_STORE) store: EventStore) {
    super(store, { decider: emailReservationDecider, ...emailReservationEventCodec });
  }
}
