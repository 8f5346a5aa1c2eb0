import { join } from 'node:path';
import { ensureWritableDataDir } from '#config';
import type { EventStore } from './event-store.port.js';
import { EventStoreDbEventStore } from './eventstoredb/eventstoredb-event-store.js';
import { SqliteEventStore } from './sqlite/sqlite-event-store.js';

export interface CreateEventStoreOptions {
  /** `EVENTSTORE_URL`; unset or empty: the embedded store. */
  readonly eventStoreUrl?: string;
  /** `DATA_DIR`; the embedded store keeps `<dataDir>/<service>.sqlite`. */
  readonly dataDir: string;
  readonly service: string;
}

/** EventStoreDB when a URL is configured, else the service's own SQLite file. */
export function createEventStore(options: CreateEventStoreOptions): EventStore {
  if (options.eventStoreUrl?.trim()) return new EventStoreDbEventStore(options.eventStoreUrl.trim());

  if (!/^[a-z0-9][a-z0-9_-]*$/i.test(options.service)) {
    throw new Error(`service name ${JSON.stringify(options.service)} cannot name an event-store file`);
  }
  ensureWritableDataDir(options.dataDir);
  return new SqliteEventStore(join(options.dataDir, `${options.service}.sqlite`));
}
