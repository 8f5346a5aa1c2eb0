import { Inject, Injectable } from '@nestjs/common';
import { AggregateRepository, EVENT_STORE, type EventStore } from '#event-store';
import { emailReservationEventCodec } from './email-reservation.codec.js';
import type { EmailReservationCommand } from './email-reservation.commands.js';
import { emailReservationDecider, type EmailReservationState } from './email-reservation.decider.js';
import type { EmailReservationEvent } from './email-reservation.events.js';

/** `email-<sha256>` streams. */
@Injectable()
export class EmailReservationRepository extends AggregateRepository<
  EmailReservationCommand,
  EmailReservationEvent,
  EmailReservationState
> {
  constructor(@Inject(EVENT_STORE) store: EventStore) {
    super(store, { decider: emailReservationDecider, codec: emailReservationEventCodec });
  }
}
