import { Inject, Injectable } from '@nestjs/common';
import { AggregateRepository, EVENT_STORE, type EventStore } from '#event-store';
import { notificationCodec } from './notification.codec.js';
import type { NotificationCommand } from './notification.commands.js';
import { notificationDecider, type NotificationState } from './notification.decider.js';
import type { NotificationEvent } from './notification.events.js';

/** `notification-<eventId>` streams. */
@Injectable()
export class NotificationRepository extends AggregateRepository<
  NotificationCommand,
  NotificationEvent,
  NotificationState
> {
  constructor(@Inject(EVENT_STORE) store: EventStore) {
    super(store, { decider: notificationDecider, codec: notificationCodec });
  }
}
