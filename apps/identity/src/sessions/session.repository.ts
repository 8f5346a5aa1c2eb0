import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  AggregateRepository,
  EVENT_STORE,
  EventStoreSnapshots,
  type EventStore,
  type EventStoreSnapshotsOptions,
} from '#event-store';
import { sessionEventCodec } from './session.codec.js';
import type { SessionCommand } from './session.commands.js';
import { sessionDecider } from './session.decider.js';
import type { SessionEvent } from './session.events.js';
import type { SessionState } from './session.state.js';

const logger = new Logger('SessionRepository');

/** How `session-<id>` is snapshotted: by the repository, and by `ops rebuild-snapshots`. */
export const SESSION_SNAPSHOTS: EventStoreSnapshotsOptions<SessionState> = {
  every: 20,
  serialize: (state) => state,
  deserialize: (json) => json as SessionState,
};

/**
 * `session-<id>` streams. A session in use is refreshed every few minutes, so
 * its state is snapshotted every 20 events (`session_snapshot-<id>`): a refresh
 * reads the newest snapshot and at most 19 events, however long the session.
 */
@Injectable()
export class SessionRepository extends AggregateRepository<SessionCommand, SessionEvent, SessionState> {
  constructor(@Inject(EVENT_STORE) store: EventStore) {
    super(store, {
      decider: sessionDecider(),
      codec: sessionEventCodec,
      snapshots: new EventStoreSnapshots(store, SESSION_SNAPSHOTS),
      onSnapshotError: (error, stream) =>
        logger.warn(`snapshot of ${stream} not saved: ${error instanceof Error ? error.message : 'unknown error'}`),
    });
  }
}
