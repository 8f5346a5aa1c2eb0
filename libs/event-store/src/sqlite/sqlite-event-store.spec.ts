import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { describeEventStoreContract } from '../event-store.contract.js';
import { verifyStreamChain } from '../hash-chain.js';
import { WrongExpectedVersion, type NewEvent, type RecordedEvent } from '../event-store.port.js';
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

  describe('group commit', () => {
    it('commits the appends called in one turn of the event loop together, at most 256 per transaction', async () => {
      const filename = join(dataDir, 'group-commit.sqlite');
      const store = open('group-commit.sqlite');
      const before = commitsInWal(filename);

      const results = await Promise.all(
        Array.from({ length: 300 }, (_, i) => store.append(`group-${i}`, [newEvent('A', { i })], 'no_stream')),
      );

      expect(commitsInWal(filename) - before).toBe(2);
      expect(results).toEqual(Array(300).fill({ nextRevision: 0 }));
      expect(await store.read('group-299')).toHaveLength(1);
    });

    it('rejects the failing appends of a group alone, rolled back, and stores their neighbours', async () => {
      const filename = join(dataDir, 'group-failure.sqlite');
      const store = open('group-failure.sqlite');
      const repeated = newEvent('Repeated');
      await store.append('failing-0', [newEvent('Kept')], 'no_stream');
      await store.append('failing-1', [repeated], 'no_stream');
      const before = commitsInWal(filename);

      const outcomes = await Promise.allSettled([
        store.append('failing-2', [newEvent('A')], 'no_stream'),
        store.append('failing-0', [newEvent('Stale')], 5),
        store.append('failing-3', [newEvent('B')], 'no_stream'),
        // 'New' is inserted before the repeated id clashes: its savepoint takes it back out.
        store.append('failing-1', [newEvent('New'), repeated], 'any'),
        store.append('failing-4', [newEvent('C')], 'no_stream'),
      ]);

      expect(commitsInWal(filename) - before).toBe(1);
      expect(outcomes.map((outcome) => outcome.status)).toEqual([
        'fulfilled',
        'rejected',
        'fulfilled',
        'rejected',
        'fulfilled',
      ]);
      expect(rejection(outcomes[1])).toBeInstanceOf(WrongExpectedVersion);
      expect(rejection(outcomes[3])).toMatchObject({ message: expect.stringMatching(/already stored/) });
      const typesOf = async (stream: string) => (await store.read(stream)).map((event) => event.type);
      expect(await typesOf('failing-0')).toEqual(['Kept']);
      expect(await typesOf('failing-1')).toEqual(['Repeated']);
      expect(await typesOf('failing-2')).toEqual(['A']);
      expect(await typesOf('failing-3')).toEqual(['B']);
      expect(await typesOf('failing-4')).toEqual(['C']);
    });

    it('appends to one stream in the order called within a group, each seeing the one before', async () => {
      const filename = join(dataDir, 'group-order.sqlite');
      const store = open('group-order.sqlite');
      const before = commitsInWal(filename);

      const results = await Promise.all([
        store.append('ordered-1', [newEvent('First')], 'no_stream'),
        store.append('ordered-1', [newEvent('Second')], 0),
        store.append('ordered-1', [newEvent('Third')], 'any'),
      ]);

      expect(commitsInWal(filename) - before).toBe(1);
      expect(results).toEqual([{ nextRevision: 0 }, { nextRevision: 1 }, { nextRevision: 2 }]);
      const events = await store.read('ordered-1');
      expect(events.map((event) => event.type)).toEqual(['First', 'Second', 'Third']);
      expect(verifyStreamChain(events)).toEqual({ chainStartsAt: 0, breaks: [] });
    });

    it('truncates after the appends called before it', async () => {
      const store = open('group-truncate.sqlite');
      const appends = Array.from({ length: 4 }, (_, n) => store.append('truncated-1', [newEvent('N', { n })], 'any'));
      await store.truncateBefore('truncated-1', 3);
      await Promise.all(appends);
      expect((await store.read('truncated-1')).map((event) => event.revision)).toEqual([3]);
    });

    it('rejects every append of a group with the error of its BEGIN', async () => {
      const filename = join(dataDir, 'group-busy.sqlite');
      const store = new SqliteEventStore(filename, { busyTimeoutMs: 20 });
      stores.push(store);
      const other = new Database(filename);
      other.exec('BEGIN IMMEDIATE');
      try {
        const outcomes = await Promise.allSettled([
          store.append('busy-1', [newEvent('A')], 'no_stream'),
          store.append('busy-2', [newEvent('B')], 'no_stream'),
        ]);
        expect(outcomes.map(rejection)).toEqual([
          expect.objectContaining({ code: 'SQLITE_BUSY' }),
          expect.objectContaining({ code: 'SQLITE_BUSY' }),
        ]);
      } finally {
        other.exec('ROLLBACK');
        other.close();
      }
      expect(await store.read('busy-1')).toEqual([]);
    });

    it('commits an append queued before close, and refuses the ones after', async () => {
      const store = new SqliteEventStore(join(dataDir, 'close-pending.sqlite'));
      const queued = store.append('pending-1', [newEvent('A')], 'no_stream');
      const closing = store.close();
      await expect(store.append('pending-1', [newEvent('B')], 'any')).rejects.toThrow(/closed/);
      await closing;
      await expect(queued).resolves.toEqual({ nextRevision: 0 });
      expect((await open('close-pending.sqlite').read('pending-1')).map((event) => event.type)).toEqual(['A']);
    });
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

/**
 * The transactions committed to a store file so far, counted in its
 * write-ahead log, where SQLite marks the last frame of each commit with the
 * size of the database. Counts from the start of the log: only while no
 * checkpoint has restarted it (a new file, under a thousand pages written).
 */
function commitsInWal(filename: string): number {
  const wal = readFileSync(`${filename}-wal`);
  const pageSize = wal.readUInt32BE(8);
  const salts = wal.subarray(16, 24);
  let commits = 0;
  for (let frame = 32; frame + 24 + pageSize <= wal.length; frame += 24 + pageSize) {
    if (!wal.subarray(frame + 8, frame + 16).equals(salts)) break; // left over from an earlier log
    if (wal.readUInt32BE(frame + 4) !== 0) commits += 1;
  }
  return commits;
}

function rejection(outcome: PromiseSettledResult<unknown> | undefined): unknown {
  return outcome?.status === 'rejected' ? outcome.reason : undefined;
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
