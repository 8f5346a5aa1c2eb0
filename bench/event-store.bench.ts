/**
 * Throughput of the event stores, the embedded one (SQLite, WAL,
 * synchronous=FULL) and PostgreSQL (a fresh schema of the machine's server,
 * dropped afterwards), the same work on each:
 *  - append: streams of 10 events, one append (one transaction) per stream
 *    with expected revision `no_stream`, one after the other;
 *  - read back: all of them through one `subscribeToAll` from the start.
 *
 *   npm run build && node dist/bench/event-store.bench.js [events] [directory]
 * events: BENCH_STORE_EVENTS or 20,000; the directory (default: the OS temp dir)
 * decides the disk SQLite is measured on. POSTGRES_URL (default
 * postgres://postgres@127.0.0.1:5432/test); BENCH_STORES=sqlite to skip PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { SqliteEventStore, type EventStore, type NewEvent } from '#event-store';
import { PostgresEventStore } from '../libs/event-store/src/postgres/postgres-event-store.js';

const EVENTS_PER_STREAM = 10;
const totalEvents = Number(process.argv[2] ?? process.env['BENCH_STORE_EVENTS'] ?? 20_000);
if (!(Number.isInteger(totalEvents) && totalEvents >= EVENTS_PER_STREAM)) {
  throw new Error(`usage: event-store.bench.js [events >= ${EVENTS_PER_STREAM}] [directory]`);
}
const POSTGRES_URL = process.env['POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const READ_TIMEOUT_MS = 60_000;
const stores = (process.env['BENCH_STORES'] ?? 'sqlite,postgresql').split(',');

function eventsOf(stream: number): NewEvent[] {
  return Array.from({ length: EVENTS_PER_STREAM }, (_, i) => ({
    id: randomUUID(),
    type: i === 0 ? 'MfaEnrollmentStarted' : 'MfaChallengeVerified',
    data: { userId: `user-${stream}`, timeStep: 57_000_000 + i, ip: '203.0.113.7', at: new Date().toISOString() },
    metadata: { schemaVersion: 1, correlationId: randomUUID() },
  }));
}

function report(label: string, events: number, ms: number): void {
  const perSecond = Math.round((events / ms) * 1000).toLocaleString('en');
  console.log(
    `${label.padEnd(44)} ${events.toLocaleString('en')} events in ${(ms / 1000).toFixed(2)} s = ${perSecond} events/s`,
  );
}

async function measure(name: string, store: EventStore): Promise<void> {
  const streams = Math.ceil(totalEvents / EVENTS_PER_STREAM);
  const batches = Array.from({ length: streams }, (_, stream) => eventsOf(stream));

  const appendStart = performance.now();
  for (const [stream, events] of batches.entries()) {
    await store.append(`mfa-${stream}`, events, 'no_stream');
  }
  report(
    `${name}: append (${streams.toLocaleString('en')} × ${EVENTS_PER_STREAM}-event appends)`,
    streams * EVENTS_PER_STREAM,
    performance.now() - appendStart,
  );

  const expected = streams * EVENTS_PER_STREAM;
  let received = 0;
  let lastPosition: bigint | undefined;
  const readStart = performance.now();
  await new Promise<void>((resolve, reject) => {
    // Bounded: PostgreSQL subscribers see only what is older than the oldest transaction still
    // running on the whole server, so another's long transaction holds the read back up.
    const timer = setTimeout(() => {
      console.log(`${name}: read back stopped after ${READ_TIMEOUT_MS} ms with ${received} of ${expected} events`);
      void subscription.close().then(resolve);
    }, READ_TIMEOUT_MS);
    const subscription = store.subscribeToAll(
      {},
      {
        onEvent: (event) => {
          if (lastPosition !== undefined && event.position <= lastPosition) {
            throw new Error(`position ${event.position} out of order`);
          }
          lastPosition = event.position;
          received += 1;
          if (received === expected) {
            clearTimeout(timer);
            void subscription.close().then(resolve);
          }
        },
        onError: reject,
      },
    );
  });
  report(`${name}: read back (subscribeToAll)`, received, performance.now() - readStart);
}

async function main(): Promise<void> {
  if (stores.includes('sqlite')) {
    const directory = mkdtempSync(join(process.argv[3] ?? tmpdir(), 'event-store-bench-'));
    const store = new SqliteEventStore(join(directory, 'bench.sqlite'));
    try {
      await measure('SQLite', store);
    } finally {
      await store.close();
      rmSync(directory, { recursive: true, force: true });
    }
  }
  if (stores.includes('postgresql')) {
    const schema = `bench_${randomUUID().slice(0, 8)}`;
    const store = new PostgresEventStore(POSTGRES_URL, { schema });
    try {
      await measure('PostgreSQL', store);
    } finally {
      await store.close();
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  }
}

await main();
