import { Inject, Injectable } from '@nestjs/common';
import { AggregateRepository, EVENT_STORE, type EventStore, eventCodec } from '#event-store';
import { userDecider, type UserCommand, type UserEvent, type UserState } from './user.decider.js';

export const userEventCodec = eventCodec<UserEvent>({
  currentVersions: { UserRegistered: 1, UserRolesChanged: 1 },
});

/** `user-<id>` streams. */
@Injectable()
export class UserRepository extends AggregateRepository<UserCommand, UserEvent, UserState> {
  constructor(@Inject(EVENT_STORE) store: EventStore) {
    super(store, { decider: userDecider, ...userEventCodec });
  }
}
