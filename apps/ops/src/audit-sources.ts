import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '#config';
import { SqliteEventStore, createEventStore, type EventLogReader, type EventStore } from '#event-store';
import { SERVICES, type ServiceName } from './audited-services.js';

/** One store the CLI reads: everything it needs of it, and nothing that writes. */
export type AuditedStore = EventLogReader & Pick<EventStore, 'read' | 'close'>;

export interface AuditSource {
  /** `mfa` (its SQLite file or PostgreSQL schema) or `EventStoreDB` (every service's streams in one store). */
  readonly label: string;
  readonly store: AuditedStore;
  /** Whose streams it holds. */
  readonly services: readonly ServiceName[];
}

/** Where the stores are: the services' own settings, validated by the services' own rules. */
export interface StoreLocation {
  readonly dataDir: string;
  readonly eventStoreUrl: string | undefined;
}

/** `DATA_DIR` and `EVENTSTORE_URL` as libs/config reads them for every service; nothing else of the environment. */
export function storeLocationOf(env: NodeJS.ProcessEnv): StoreLocation {
  const { DATA_DIR, EVENTSTORE_URL } = env;
  const config = loadConfig('policy', {
    ...(DATA_DIR === undefined ? {} : { DATA_DIR }),
    ...(EVENTSTORE_URL === undefined ? {} : { EVENTSTORE_URL }),
  });
  return { dataDir: config.DATA_DIR, eventStoreUrl: config.EVENTSTORE_URL?.trim() || undefined };
}

/**
 * The embedded default: each service's SQLite file under DATA_DIR, opened
 * read-only (the services may be running; nothing is written, not even the
 * schema). PostgreSQL: each service's schema. EventStoreDB: the one store.
 */
export function openAuditSources(location: StoreLocation): AuditSource[] {
  const url = location.eventStoreUrl;
  if (url && !/^postgres(ql)?:\/\//.test(url)) {
    return [
      {
        label: 'EventStoreDB',
        store: asAudited(createEventStore({ eventStoreUrl: url, dataDir: location.dataDir, service: 'ops' })),
        services: SERVICES,
      },
    ];
  }
  if (url) {
    return SERVICES.map((service) => ({
      label: service,
      store: asAudited(createEventStore({ eventStoreUrl: url, dataDir: location.dataDir, service })),
      services: [service],
    }));
  }
  const sources = SERVICES.flatMap((service) => {
    const file = join(location.dataDir, `${service}.sqlite`);
    return existsSync(file)
      ? [{ label: service, store: new SqliteEventStore(file, { readonly: true }), services: [service] }]
      : [];
  });
  if (sources.length === 0) {
    throw new Error(
      `no event store under DATA_DIR (${location.dataDir}): none of ${SERVICES.map((s) => `${s}.sqlite`).join(', ')}`,
    );
  }
  return sources;
}

export async function closeAll(sources: readonly AuditSource[]): Promise<void> {
  await Promise.all(sources.map((source) => source.store.close()));
}

function asAudited(store: EventStore): AuditedStore {
  if (!('readAll' in store)) throw new Error('this event store cannot be read whole');
  return store as EventStore & EventLogReader;
}
