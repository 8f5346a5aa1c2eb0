/**
 * The stores of the three commands that write (`relay replay`, its request;
 * `reencrypt`; `rebuild-snapshots`), opened read-write: a service's SQLite file under DATA_DIR (it must exist:
 * nothing is created), its PostgreSQL schema, or the one EventStoreDB store.
 * Every other command opens them read-only (audit-sources.ts). Safe while the
 * services run: SQLite serialises writers across processes, and each write
 * here is an append at an expected revision (or to a snapshot stream, a cache).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createEventStore, eventStoreKindOf, SqliteEventStore, type EventStore } from '#event-store';
import type { AuditedStore, StoreLocation } from './audit-sources.js';
import type { ServiceName } from './audited-services.js';

export type WritableStore = EventStore & AuditedStore;

export interface WritableSource {
  /** `mfa` (its SQLite file or PostgreSQL schema) or `EventStoreDB` (every service's streams in one store). */
  readonly label: string;
  readonly store: WritableStore;
  /** Whose streams it holds, of those asked for. */
  readonly services: readonly ServiceName[];
}

/** The stores holding `services`' streams; a service without a SQLite file under DATA_DIR is left out. */
export function openWritableSources(location: StoreLocation, services: readonly ServiceName[]): WritableSource[] {
  const url = location.eventStoreUrl;
  switch (eventStoreKindOf(url)) {
    case 'eventstoredb':
      return [{ label: 'EventStoreDB', store: opened(url!, location.dataDir, 'ops'), services }];
    case 'postgresql':
      return services.map((service) => ({
        label: service,
        store: opened(url!, location.dataDir, service),
        services: [service],
      }));
    case 'sqlite':
      return services.flatMap((service) => {
        const file = join(location.dataDir, `${service}.sqlite`);
        return existsSync(file) ? [{ label: service, store: new SqliteEventStore(file), services: [service] }] : [];
      });
  }
}

function opened(url: string, dataDir: string, service: string): WritableStore {
  const store = createEventStore({ eventStoreUrl: url, dataDir, service });
  if (!('readAll' in store)) throw new Error('this event store cannot be read whole');
  return store as WritableStore;
}
