import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { describeEventStoreContract } from '../event-store.contract.js';
import { verifyStreamChain } from '../hash-chain.js';
import type { NewEvent, RecordedEvent } from '../event-store.port.js';
import { SqliteEventStore } from './sqlite-event-store.js';

const dataDir = mkdtempSync(join(tmpdir(), 'sqlite-event-store-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describeEventStoreContract('SQLite', async () => new SqliteEventStore(join(dataDir, 'contract.sqlite')));

describe('SqliteEventStore', () => {
  const stores: SqliteEventStore[] = [];
  const open = (name: string): SqliteEventStore => {
    const store = new SqliteEventStore(join(dataDir, name));
    stores.push(store);
    return store;
  };
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
  });

  it('wakes a live subscription on an append in the same process without waiting for the poll', async () => {
    const store = new SqliteEventStore(join(dataDir, 'wake.sqlite'), { pollIntervalMs: 60_000 });
    stores.push(store);
    const delivered: RecordedEvent[] = [];
    store.subscribeToAll({}, { onEvent: (event) => void delivered.push(event) });
    await delay(20);

    await store.append('wake-1', [newEvent('A')], 'no_stream');
    await waitUntil(() => delivered.length === 1, 1_000);
    expect(delivered[0]?.type).toBe('A');
  });

  it('delivers from a later page of the catch-up without gaps', async () => {
    const store = new SqliteEventStore(join(dataDir, 'pages.sqlite'), { pageSize: 7 });
    stores.push(store);
    for (let i = 0; i < 10; i += 1) {
      await store.append(`pages-${i}`, [newEvent('A'), newEvent('B'), newEvent('C')], 'no_stream');
    }
    const positions: bigint[] = [];
    store.subscribeToAll({ fromPosition: 4n }, { onEvent: (event) => void positions.push(event.position) });
    await waitUntil(() => positions.length === 26, 2_000);
    expect(positions).toEqual(Array.from({ length: 26 }, (_, i) => BigInt(i + 5)));
  });

  it('rejects a batch that repeats stored ids out of their original order', async () => {
    const store = open('partial-repeat.sqlite');
    const [a, b] = [newEvent('A'), newEvent('B')];
    await store.append('partial-1', [a, b], 'no_stream');
    await expect(store.append('partial-1', [b, a], 'any')).rejects.toThrow(/already stored/);
    await expect(store.append('partial-1', [newEvent('C'), a], 'any')).rejects.toThrow(/already stored/);
    expect(await store.read('partial-1')).toHaveLength(2);
  });

  it('rejects a negative or fractional expected revision', async () => {
    const store = open('invalid-expected.sqlite');
    await expect(store.append('invalid-1', [newEvent('A')], -1)).rejects.toBeInstanceOf(RangeError);
    await expect(store.append('invalid-1', [newEvent('A')], 0.5)).rejects.toBeInstanceOf(RangeError);
  });

  it('starts the chain at the first event appended to a stream written before chains existed', async () => {
    const filename = join(dataDir, 'legacy.sqlite');
    const store = open('legacy.sqlite');
    const raw = new Database(filename);
    const insert = raw.prepare(
      `INSERT INTO events (stream, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, 'Old', '{}', '{"schemaVersion":1}', 0)`,
    );
    insert.run('legacy-1', 0, randomUUID());
    insert.run('legacy-1', 1, randomUUID());
    raw.close();

    await store.append('legacy-1', [newEvent('New'), newEvent('Newer')], 1);
    await store.append('legacy-1', [newEvent('Newest')], 'any');
    expect(verifyStreamChain(await store.read('legacy-1'))).toEqual({ chainStartsAt: 2, breaks: [] });
  });

  it('opens read-only for an audit: reads the whole log in order, refuses appends, changes nothing', async () => {
    const filename = join(dataDir, 'read-only.sqlite');
    const writer = new SqliteEventStore(filename, { pageSize: 3 });
    stores.push(writer);
    for (let i = 0; i < 4; i += 1) await writer.append(`ro-${i % 2}`, [newEvent('A'), newEvent('B')], 'any');
    const reader = new SqliteEventStore(filename, { readonly: true, pageSize: 3 });
    stores.push(reader);

    const all: RecordedEvent[] = [];
    for await (const event of reader.readAll()) all.push(event);
    expect(all.map((event) => event.position)).toEqual(Array.from({ length: 8 }, (_, i) => BigInt(i + 1)));
    const filtered: string[] = [];
    for await (const event of reader.readAll({ streamPrefixes: ['ro-1'], fromPosition: 4n }))
      filtered.push(event.stream);
    expect(filtered).toEqual(['ro-1', 'ro-1']);
    await expect(reader.append('ro-0', [newEvent('C')], 'any')).rejects.toThrow(/readonly/);
    expect(() => new SqliteEventStore(join(dataDir, 'absent.sqlite'), { readonly: true })).toThrow();
  });

  it('refuses to work after close', async () => {
    const store = new SqliteEventStore(join(dataDir, 'closed.sqlite'));
    await store.close();
    await expect(store.append('closed-1', [newEvent('A')], 'any')).rejects.toThrow(/closed/);
    await expect(store.read('closed-1')).rejects.toThrow(/closed/);
  });
});

describe('SqliteEventStore shared by several processes', { timeout: 30_000 }, () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill();
  });

  const startProcess = async (filename: string): Promise<StoreProcess> => {
    const child = fork(fileURLToPath(new URL('./child-process/store-process.mjs', import.meta.url)), [filename], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.push(child);
    await nextMessage(child, (message) => message.ready === true);
    return {
      append: async (stream, events, expected) => {
        const reply = nextMessage(child, (message) => message.done === 'append');
        child.send({ do: 'append', stream, events, expected });
        return (await reply) as unknown as AppendReply;
      },
    };
  };

  it('lets exactly one of several processes win an append at the same expected revision', async () => {
    const filename = join(dataDir, 'processes-race.sqlite');
    const parent = new SqliteEventStore(filename);
    const stream = `race-${randomUUID()}`;
    await parent.append(stream, [newEvent('Opened')], 'no_stream');
    try {
      const processes = await Promise.all(Array.from({ length: 4 }, () => startProcess(filename)));

      const replies = await Promise.all(
        processes.map((process, writer) => process.append(stream, [newEvent('Claimed', { writer })], 0)),
      );

      const winners = replies.filter((reply) => reply.ok);
      expect(winners).toHaveLength(1);
      expect(winners[0]?.nextRevision).toBe(1);
      expect(replies.filter((reply) => !reply.ok).map((reply) => reply.error)).toEqual(
        Array(3).fill('WrongExpectedVersion'),
      );
      const events = await parent.read(stream);
      expect(events.map((event) => event.type)).toEqual(['Opened', 'Claimed']);
      expect(verifyStreamChain(events)).toEqual({ chainStartsAt: 0, breaks: [] });
    } finally {
      await parent.close();
    }
  });

  it("chains one stream that several processes append to at 'any' at once", async () => {
    const filename = join(dataDir, 'processes-chain.sqlite');
    const parent = new SqliteEventStore(filename);
    const stream = `chain-${randomUUID()}`;
    try {
      const processes = await Promise.all(Array.from({ length: 3 }, () => startProcess(filename)));
      await Promise.all(
        processes.map(async (process, writer) => {
          for (let i = 0; i < 10; i += 1) {
            expect((await process.append(stream, [newEvent('Any', { writer, i }), newEvent('Also')], 'any')).ok).toBe(
              true,
            );
          }
        }),
      );
      const events = await parent.read(stream);
      expect(events).toHaveLength(60);
      expect(verifyStreamChain(events)).toEqual({ chainStartsAt: 0, breaks: [] });
    } finally {
      await parent.close();
    }
  });

  it('lets a subscriber see, in order, what other processes append', async () => {
    const filename = join(dataDir, 'processes-subscribe.sqlite');
    const subscriber = new SqliteEventStore(filename, { pollIntervalMs: 50 });
    const delivered: RecordedEvent[] = [];
    const subscription = subscriber.subscribeToAll({}, { onEvent: (event) => void delivered.push(event) });
    try {
      const [first, second] = await Promise.all([startProcess(filename), startProcess(filename)]);
      const appended: string[] = [];
      for (let i = 0; i < 10; i += 1) {
        for (const [writer, process] of [first, second].entries()) {
          const event = newEvent('Written', { writer, i });
          const reply = await process!.append(`writer-${writer}`, [event], i === 0 ? 'no_stream' : i - 1);
          expect(reply.ok).toBe(true);
          appended.push(event.id);
        }
      }

      await waitUntil(() => delivered.length >= appended.length, 5_000);
      await delay(200);
      expect(delivered.map((event) => event.id)).toEqual(appended);
    } finally {
      await subscription.close();
      await subscriber.close();
    }
  });
});

interface AppendReply {
  ok: boolean;
  nextRevision?: number;
  error?: string;
}

interface StoreProcess {
  append(stream: string, events: NewEvent[], expected: number | 'no_stream' | 'any'): Promise<AppendReply>;
}

type Message = Record<string, unknown>;

function nextMessage(child: ChildProcess, matches: (message: Message) => boolean): Promise<Message> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown) => {
      if (typeof message === 'object' && message !== null && matches(message as Message)) {
        cleanup();
        resolve(message as Message);
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`store process exited with ${code}`));
    };
    const cleanup = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

function newEvent(type: string, data: Record<string, unknown> = {}): NewEvent {
  return { id: randomUUID(), type, data };
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await delay(5);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
