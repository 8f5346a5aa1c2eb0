import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createEventStore, type EventLogReader, type EventStore } from '#event-store';
import type { ServiceName } from '../audited-services.js';
import type { StoreLocation } from '../audit-sources.js';

/**
 * One service's store, open for writing: only `relay replay` asks for it, to
 * append its request to the relay (never an event of an aggregate). The
 * service's SQLite file must exist already: ops never creates a store.
 */
export function openServiceStoreForWriting(location: StoreLocation, service: ServiceName): EventStore & EventLogReader {
  if (!location.eventStoreUrl) {
    const file = join(location.dataDir, `${service}.sqlite`);
    if (!existsSync(file)) throw new Error(`no ${service} store under DATA_DIR (${file})`);
  }
  const store = createEventStore({
    ...(location.eventStoreUrl ? { eventStoreUrl: location.eventStoreUrl } : {}),
    dataDir: location.dataDir,
    service,
  });
  if (!('readAll' in store)) throw new Error('this event store cannot be read in global order');
  return store as EventStore & EventLogReader;
}
