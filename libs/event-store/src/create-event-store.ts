import { join } from 'node:path';
import { ensureWritableDataDir } from '#config';
import type { EventStore } from './event-store.port.js';
import { EventStoreDbEventStore } from './eventstoredb/eventstoredb-event-store.js';
import { PostgresEventStore } from './postgres/postgres-event-store.js';
import { SqliteEventStore } from './sqlite/sqlite-event-store.js';

export interface CreateEventStoreOptions {
  /** `EVENTSTORE_URL` (`esdb://…` or `postgres://…`); unset or empty: the embedded store. */
  readonly eventStoreUrl?: string;
  /** `DATA_DIR`; the embedded store keeps `<dataDir>/<service>.sqlite`. */
  readonly dataDir: string;
  readonly service: string;
}

export type EventStoreKind = 'sqlite' | 'postgresql' | 'eventstoredb';

/** Which adapter `EVENTSTORE_URL` selects. */
export function eventStoreKindOf(eventStoreUrl: string | undefined): EventStoreKind {
  const url = eventStoreUrl?.trim();
  if (!url) return 'sqlite';
  return /^postgres(ql)?:\/\//.test(url) ? 'postgresql' : 'eventstoredb';
}

/**
 * PostgreSQL (the service's own schema, named after it) or EventStoreDB when a
 * URL is configured, else the service's own SQLite file.
 */
export function createEventStore(options: CreateEventStoreOptions): EventStore {
  if (!/^[a-z0-9][a-z0-9_-]*$/i.test(options.service)) {
    throw new Error(`service name ${JSON.stringify(options.service)} cannot name an event store`);
  }
  const url = options.eventStoreUrl?.trim() ?? '';
  switch (eventStoreKindOf(url)) {
    case 'postgresql':
      return new PostgresEventStore(url, { schema: options.service.toLowerCase().replaceAll('-', '_') });
    case 'eventstoredb':
      return new EventStoreDbEventStore(url);
    case 'sqlite':
      break;
  }

  ensureWritableDataDir(options.dataDir);
  return new SqliteEventStore(join(options.dataDir, `${options.service}.sqlite`));
}
