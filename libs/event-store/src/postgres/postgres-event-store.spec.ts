import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { describeEventStoreContract } from '../event-store.contract.js';
import { WrongExpectedVersion, type RecordedEvent } from '../event-store.port.js';
import { verifyStreamChain } from '../hash-chain.js';
import { packPosition, PostgresEventStore, unpackPosition } from './postgres-event-store.js';

/** The machine's PostgreSQL (trust authentication, database `test`): it runs wherever these tests run, CI included. */
const POSTGRES_URL = process.env['POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const run = randomUUID().slice(0, 8);
const schemas: string[] = [];
const schemaNamed = (name: string): string => {
  const schema = `spec_${run}_${name}`;
  schemas.push(schema);
  return schema;
};

afterAll(async () => {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

const contractSchema = schemaNamed('contract');
describeEventStoreContract('PostgreSQL', async () => new PostgresEventStore(POSTGRES_URL, { schema: contractSchema }));

describe('PostgresEventStore', () => {
  const stores: PostgresEventStore[] = [];
  const open = (schema: string, options: { pollIntervalMs?: number; pageSize?: number } = {}) => {
    const store = new PostgresEventStore(POSTGRES_URL, { schema, ...options });
    stores.push(store);
    return store;
  };
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
  });

  it('packs the transaction id above the row sequence, so positions compare as (transaction, sequence)', () => {
    const position = packPosition(900n, 3n);
    expect(unpackPosition(position)).toEqual({ transactionId: 900n, sequence: 3n });
    expect(packPosition(900n, 4n)).toBeGreaterThan(position);
    expect(packPosition(901n, 1n)).toBeGreaterThan(packPosition(900n, 2n ** 62n));
  });

  it('keeps services apart: a schema sees only its own events', async () => {
    const [identity, mfa] = [open(schemaNamed('identity')), open(schemaNamed('mfa'))];
    await identity.append('user-1', [{ id: randomUUID(), type: 'UserRegistered', data: {} }], 'no_stream');
    expect(await mfa.read('user-1')).toEqual([]);
    expect(await mfa.countEventsAfter(undefined, { limit: 10 })).toBe(0);
  });

  it('takes concurrent appends of one stream one after the other: one creates it, the others conflict or follow', async () => {
    const store = open(schemaNamed('racing'));
    const stream = "o'hara\\'); --";
    const created = await Promise.allSettled(
      Array.from({ length: 4 }, () =>
        store.append(stream, [{ id: randomUUID(), type: 'Tried', data: {} }], 'no_stream'),
      ),
    );
    expect(created.filter((append) => append.status === 'fulfilled')).toHaveLength(1);
    expect(created.filter((append) => append.status === 'rejected').map((append) => append.reason)).toEqual(
      Array.from({ length: 3 }, () => expect.any(WrongExpectedVersion)),
    );
    // 'any' never conflicts: each goes after the ones committed before it, chained to it.
    await Promise.all(
      Array.from({ length: 6 }, () => store.append(stream, [{ id: randomUUID(), type: 'Added', data: {} }], 'any')),
    );
    const events = await store.read(stream);
    expect(events.map((event) => event.revision)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(verifyStreamChain(events)).toEqual({ chainStartsAt: 0, breaks: [] });
  });

  it('refuses a schema name that could inject SQL', () => {
    expect(() => new PostgresEventStore(POSTGRES_URL, { schema: 'x"; DROP TABLE y; --' })).toThrow(/schema/);
  });

  it('delivers a later commit of an earlier-numbered row in order: nothing read past it is skipped', async () => {
    const schema = schemaNamed('visibility');
    const store = open(schema, { pollIntervalMs: 20 });
    await store.append('warm-up', [{ id: randomUUID(), type: 'Warm', data: {} }], 'no_stream');
    const delivered: RecordedEvent[] = [];
    store.subscribeToAll({}, { onEvent: (event) => void delivered.push(event) });
    await waitUntil(() => delivered.length === 1);

    // A transaction that took its row number first and commits last: the classic bigserial gap.
    const slow = new pg.Client({ connectionString: POSTGRES_URL });
    await slow.connect();
    try {
      await slow.query('BEGIN');
      await slow.query(
        `INSERT INTO "${schema}".events (stream, revision, event_id, type, data, metadata, recorded_at)
         VALUES ('slow-1', 0, $1, 'Slow', '{}', '{}', now())`,
        [randomUUID()],
      );
      await store.append('fast-1', [{ id: randomUUID(), type: 'Fast', data: {} }], 'no_stream');
      await delay(200); // the subscription polls several times meanwhile
      expect(delivered.map((event) => event.type)).toEqual(['Warm']); // Fast waits for the older transaction
      await slow.query('COMMIT');
    } finally {
      await slow.end();
    }
    await waitUntil(() => delivered.length === 3);
    expect(delivered.map((event) => event.type)).toEqual(['Warm', 'Slow', 'Fast']);
  });

  it('gives a subscriber every event of many concurrent writers once, in one order that agrees with each stream', async () => {
    const schema = schemaNamed('concurrency');
    const writers = Array.from({ length: 8 }, () => open(schema, { pollIntervalMs: 20 }));
    const reader = open(schema, { pollIntervalMs: 20, pageSize: 50 });
    const delivered: RecordedEvent[] = [];
    reader.subscribeToAll({}, { onEvent: (event) => void delivered.push(event) });

    const STREAMS = 40;
    const APPENDS_PER_STREAM = 10;
    // Every writer appends to every stream, each append expecting the revision it read: conflicts retry.
    await Promise.all(
      writers.map(async (writer, w) => {
        for (let a = 0; a < (STREAMS * APPENDS_PER_STREAM) / writers.length; a += 1) {
          const stream = `load-${(a * writers.length + w) % STREAMS}`;
          for (;;) {
            const last = (await writer.read(stream, { direction: 'backwards', maxCount: 1 }))[0];
            try {
              await writer.append(
                stream,
                [{ id: randomUUID(), type: 'Appended', data: { writer: w, append: a } }],
                last ? last.revision : 'no_stream',
              );
              break;
            } catch (error) {
              if ((error as Error).name !== 'WrongExpectedVersion') throw error;
            }
          }
        }
      }),
    );
    const total = STREAMS * APPENDS_PER_STREAM;
    await waitUntil(() => delivered.length >= total, 20_000);
    await delay(100);

    expect(delivered).toHaveLength(total);
    expect(new Set(delivered.map((event) => event.id)).size).toBe(total);
    for (let i = 1; i < delivered.length; i += 1) {
      expect(delivered[i]!.position).toBeGreaterThan(delivered[i - 1]!.position);
    }
    // Per stream: revisions 0..n-1 in delivery order, gap-free.
    const byStream = new Map<string, number[]>();
    for (const event of delivered) byStream.set(event.stream, [...(byStream.get(event.stream) ?? []), event.revision]);
    expect(byStream.size).toBe(STREAMS);
    for (const revisions of byStream.values()) {
      expect(revisions).toEqual(Array.from({ length: APPENDS_PER_STREAM }, (_, i) => i));
    }
    expect(await reader.countEventsAfter(delivered.at(-1)!.position, { limit: 10 })).toBe(0);
  }, 60_000);
});

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await delay(10);
  }
}
