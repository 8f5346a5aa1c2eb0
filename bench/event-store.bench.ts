/**
 * Throughput of the embedded event store (SQLite, WAL, synchronous=FULL):
 *  - append: 100,000 events as 10,000 new streams of 10 events, one append
 *    (one transaction) per stream with expected revision `no_stream`;
 *  - read back: all of them through one `subscribeToAll` from the start.
 *
 * Run (Node 20 does not strip types; the build compiles bench/ too, and libs resolve from dist/):
 *   npm run build && node dist/bench/event-store.bench.js [events] [directory]
 * The directory (default: the OS temp dir) decides the disk being measured.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SqliteEventStore, type NewEvent } from '#event-store';

const EVENTS_PER_STREAM = 10;
const totalEvents = Number(process.argv[2] ?? 100_000);
if (!(Number.isInteger(totalEvents) && totalEvents >= EVENTS_PER_STREAM)) {
  throw new Error(`usage: event-store.bench.js [events >= ${EVENTS_PER_STREAM}] [directory]`);
}
const directory = mkdtempSync(join(process.argv[3] ?? tmpdir(), 'event-store-bench-'));

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
    `${label.padEnd(34)} ${events.toLocaleString('en')} events in ${(ms / 1000).toFixed(2)} s = ${perSecond} events/s`,
  );
}

async function main(): Promise<void> {
  const streams = Math.ceil(totalEvents / EVENTS_PER_STREAM);
  const store = new SqliteEventStore(join(directory, 'bench.sqlite'));
  try {
    const batches = Array.from({ length: streams }, (_, stream) => eventsOf(stream));

    const appendStart = performance.now();
    for (const [stream, events] of batches.entries()) {
      await store.append(`mfa-${stream}`, events, 'no_stream');
    }
    report(
      `append (${streams.toLocaleString('en')} × ${EVENTS_PER_STREAM}-event appends)`,
      streams * EVENTS_PER_STREAM,
      performance.now() - appendStart,
    );

    const expected = streams * EVENTS_PER_STREAM;
    let received = 0;
    let lastPosition = 0n;
    const readStart = performance.now();
    await new Promise<void>((resolve, reject) => {
      const subscription = store.subscribeToAll(
        {},
        {
          onEvent: (event) => {
            if (event.position <= lastPosition) throw new Error(`position ${event.position} out of order`);
            lastPosition = event.position;
            received += 1;
            if (received === expected) void subscription.close().then(resolve);
          },
          onError: reject,
        },
      );
    });
    report('read back (subscribeToAll)', received, performance.now() - readStart);
  } finally {
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

await main();
