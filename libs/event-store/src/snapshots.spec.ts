import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EventStore } from './event-store.port.js';
import { verifyStreamChain } from './hash-chain.js';
import { EventStoreSnapshots, snapshotStreamOf } from './snapshots.js';
import { SqliteEventStore } from './sqlite/sqlite-event-store.js';

interface Counter {
  count: number;
}

const options = {
  every: 2,
  serialize: (state: Counter) => ({ count: state.count }),
  deserialize: (json: unknown) => json as Counter,
};

describe('EventStoreSnapshots', () => {
  let store: SqliteEventStore;
  beforeEach(() => {
    store = new SqliteEventStore(':memory:');
  });
  afterEach(async () => {
    await store.close();
  });

  it('keeps only the newest snapshot of a stream, which it loads, with its chain anchored', async () => {
    const snapshots = new EventStoreSnapshots(store, options);
    for (let count = 1; count <= 8; count += 1) await snapshots.save('counter-1', { count }, count * 2 - 1);

    await expect.poll(async () => (await store.read(snapshotStreamOf('counter-1'))).length).toBe(1);
    const [kept] = await store.read(snapshotStreamOf('counter-1'));
    expect(kept).toMatchObject({ revision: 7, data: { revision: 15, state: { count: 8 } } });
    expect(await snapshots.load('counter-1')).toEqual({ state: { count: 8 }, revision: 15 });
    expect(verifyStreamChain([kept!], { anchored: true })).toEqual({ chainStartsAt: 7, breaks: [] });
  });

  it('truncates only the snapshot stream, never the aggregate stream beside it', async () => {
    await store.append(
      'counter-2',
      Array.from({ length: 4 }, () => ({ id: randomUUID(), type: 'Counted', data: {} })),
      'no_stream',
    );
    const truncated: string[] = [];
    const watched: EventStore = {
      append: (...args) => store.append(...args),
      read: (...args) => store.read(...args),
      subscribeToAll: (...args) => store.subscribeToAll(...args),
      countEventsAfter: (...args) => store.countEventsAfter(...args),
      truncateBefore: (stream, revision) => {
        truncated.push(stream);
        return store.truncateBefore(stream, revision);
      },
      close: () => store.close(),
    };
    const snapshots = new EventStoreSnapshots(watched, options);
    await snapshots.save('counter-2', { count: 2 }, 1);
    await snapshots.save('counter-2', { count: 4 }, 3);

    await expect.poll(() => truncated).toEqual([snapshotStreamOf('counter-2'), snapshotStreamOf('counter-2')]);
    expect(await store.read('counter-2')).toHaveLength(4);
  });

  it('answers the save before truncating, and shrugs off a truncation that fails', async () => {
    const failing = vi.spyOn(store, 'truncateBefore').mockRejectedValue(new Error('disk full'));
    const snapshots = new EventStoreSnapshots(store, options);
    await snapshots.save('counter-3', { count: 2 }, 1);
    expect(failing).not.toHaveBeenCalled(); // not on the saving command's path
    await snapshots.save('counter-3', { count: 4 }, 3);
    await expect.poll(() => failing.mock.calls.length).toBe(2);
    expect(await store.read(snapshotStreamOf('counter-3'))).toHaveLength(2);

    failing.mockRestore();
    await snapshots.save('counter-3', { count: 6 }, 5);
    await expect.poll(async () => (await store.read(snapshotStreamOf('counter-3'))).length).toBe(1);
    expect(await snapshots.load('counter-3')).toEqual({ state: { count: 6 }, revision: 5 });
  });

  it('replaces the snapshots of a stream, the older ones gone when it answers, whatever their version', async () => {
    const older = new EventStoreSnapshots(store, { ...options, version: 7 });
    await older.save('counter-4', { count: 1 }, 0);
    await older.save('counter-4', { count: 2 }, 1);
    const snapshots = new EventStoreSnapshots(store, options);
    expect(await snapshots.load('counter-4')).toBeNull(); // another version: ignored

    await snapshots.replace('counter-4', { count: 3 }, 2);

    const kept = await store.read(snapshotStreamOf('counter-4'));
    expect(kept).toEqual([expect.objectContaining({ data: { version: 1, revision: 2, state: { count: 3 } } })]);
    expect(await snapshots.load('counter-4')).toEqual({ state: { count: 3 }, revision: 2 });
  });
});
