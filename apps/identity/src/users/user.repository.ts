import { Inject, Injectable } from '@nestjs/common';
import { AggregateRepository, EVENT_STORE, type EventStore } from '#event-store';
import { userEventCodec } from './user.codec.js';
import type { UserCommand } from './user.commands.js';
import { userDecider, type UserState } from './user.decider.js';
import type { UserEvent } from './user.events.js';

/** `user-<id>` streams. */
@Injectable()
export class UserRepository extends AggregateRepository<UserCommand, UserEvent, UserState> {
  constructor(@Inject(EVENT_STORE) store: EventStore) {
    super(store, { decider: userDecider, codec: userEventCodec });
  }
}
