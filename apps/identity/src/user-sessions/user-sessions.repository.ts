import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  AggregateRepository,
  EVENT_STORE,
  EventStoreSnapshots,
  type EventStore,
  type EventStoreSnapshotsOptions,
} from '#event-store';
import { userSessionsEventCodec } from './user-sessions.codec.js';
import type { UserSessionsCommand } from './user-sessions.commands.js';
import { userSessionsDecider, type UserSessionsState } from './user-sessions.decider.js';
import type { UserSessionsEvent } from './user-sessions.events.js';

const logger = new Logger('UserSessionsRepository');

/** How `user_sessions-<userId>` is snapshotted: by the repository, and by `ops rebuild-snapshots`. */
export const USER_SESSIONS_SNAPSHOTS: EventStoreSnapshotsOptions<UserSessionsState> = {
  every: 20,
  serialize: (state) => state,
  deserialize: (json) => json as UserSessionsState,
};

/** `user_sessions-<userId>` streams; one event per sign-in, so snapshotted every 20 like the others. */
@Injectable()
export class UserSessionsRepository extends AggregateRepository<
  UserSessionsCommand,
  UserSessionsEvent,
  UserSessionsState
> {
  constructor(@Inject(EVENT_STORE) store: EventStore) {
    super(store, {
      decider: userSessionsDecider,
      codec: userSessionsEventCodec,
      snapshots: new EventStoreSnapshots(store, USER_SESSIONS_SNAPSHOTS),
      // Sign-ins of one user at once (several devices, a script) conflict on this stream; each retry decides again.
      retry: { maxAttempts: 10, baseDelayMs: 5 },
      onSnapshotError: (error, stream) =>
        logger.warn(`snapshot of ${stream} not saved: ${error instanceof Error ? error.message : 'unknown error'}`),
    });
  }
}
