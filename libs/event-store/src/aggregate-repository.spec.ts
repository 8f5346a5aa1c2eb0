import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { inRequestContextOf, metricsRegistry, withRequestContext } from '#observability';
import { withActingSession } from './request-metadata.js';
import { AggregateRepository, type AggregateRepositoryOptions } from './aggregate-repository.js';
import type { Decider } from './decider.js';
import { DeadlinePassed, withDeadline } from './deadline.js';
import { eventCodec } from './event-codec.js';
import type { EventStore } from './event-store.port.js';
import { EventStoreSnapshots, isSnapshotStream, snapshotStreamOf } from './snapshots.js';
import { SqliteEventStore } from './sqlite/sqlite-event-store.js';

// A tally: the smallest aggregate with a rule, a no-op command and a versioned event.
type TallyCommand = { type: 'Add'; amount: number } | { type: 'Touch' };
type TallyEvent = { type: 'Added'; data: { amount: number } };
interface TallyState {
  total: number;
  additions: number;
}

class AmountMustBePositive extends Error {}

const tally: Decider<TallyCommand, TallyEvent, TallyState> = {
  initialState: () => ({ total: 0, additions: 0 }),
  decide(command) {
    switch (command.type) {
      case 'Add':
        if (command.amount <= 0) throw new AmountMustBePositive();
        return [{ type: 'Added', data: { amount: command.amount } }];
      case 'Touch':
        return [];
      default:
        return command satisfies never;
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'Added':
        return { total: state.total + event.data.amount, additions: state.additions + 1 };
      default:
        return event.type satisfies never;
    }
  },
};

/** Schema v1 stored `{n}`; v2 stores `{amount}`. */
const codec = eventCodec<TallyEvent>({
  currentVersions: { Added: 2 },
  steps: { Added: { 1: ({ n, ...rest }) => ({ ...rest, schemaVersion: 2, amount: n }) } },
});

const options: AggregateRepositoryOptions<TallyCommand, TallyEvent, TallyState> = {
  decider: tally,
  codec,
  retry: { baseDelayMs: 1 },
};

/** Wraps a store to count the events each stream's reads return. */
function countingReads(store: EventStore): { store: EventStore; eventsRead: Map<string, number> } {
  const eventsRead = new Map<string, number>();
  return {
    eventsRead,
    store: {
      append: (stream, events, expected) => store.append(stream, events, expected),
      read: async (stream, readOptions) => {
        const events = await store.read(stream, readOptions);
        eventsRead.set(stream, (eventsRead.get(stream) ?? 0) + events.length);
        return events;
      },
      subscribeToAll: (subscribeOptions, handlers) => store.subscribeToAll(subscribeOptions, handlers),
      countEventsAfter: (position, countOptions) => store.countEventsAfter(position, countOptions),
      truncateBefore: (stream, revision) => store.truncateBefore(stream, revision),
      close: () => store.close(),
    },
  };
}

describe('AggregateRepository', () => {
  let store: SqliteEventStore;
  beforeEach(() => {
    store = new SqliteEventStore(':memory:');
  });
  afterEach(async () => {
    await store.close();
  });

  it('loads an unknown stream as the initial state at revision -1', async () => {
    const repository = new AggregateRepository(store, options);
    expect(await repository.load('tally-new')).toEqual({ state: { total: 0, additions: 0 }, revision: -1 });
  });

  it('appends what the decider decides at the loaded revision and returns the new state', async () => {
    const repository = new AggregateRepository(store, options);

    const first = await repository.handle('tally-1', { type: 'Add', amount: 5 });
    const second = await repository.handle(
      'tally-1',
      { type: 'Add', amount: 2 },
      { metadata: { correlationId: 'c-9' } },
    );

    expect(first).toEqual({
      events: [{ type: 'Added', data: { amount: 5 } }],
      nextRevision: 0,
      state: { total: 5, additions: 1 },
    });
    expect(second).toEqual({
      events: [{ type: 'Added', data: { amount: 2 } }],
      nextRevision: 1,
      state: { total: 7, additions: 2 },
    });
    const stored = await store.read('tally-1');
    expect(stored.map((event) => [event.type, event.data, event.metadata])).toEqual([
      ['Added', { amount: 5, schemaVersion: 2 }, { schemaVersion: 2, chainHash: expect.any(String) }],
      [
        'Added',
        { amount: 2, schemaVersion: 2 },
        { schemaVersion: 2, correlationId: 'c-9', chainHash: expect.any(String) },
      ],
    ]);
    expect(new Set(stored.map((event) => event.id)).size).toBe(2);
    expect(await repository.load('tally-1')).toEqual({ state: { total: 7, additions: 2 }, revision: 1 });
  });

  it('folds old event versions through the codec', async () => {
    await store.append(
      'tally-old',
      [{ id: crypto.randomUUID(), type: 'Added', data: { schemaVersion: 1, n: 4 }, metadata: { schemaVersion: 1 } }],
      'no_stream',
    );
    const repository = new AggregateRepository(store, options);

    const { state } = await repository.handle('tally-old', { type: 'Add', amount: 1 });
    expect(state).toEqual({ total: 5, additions: 2 });
  });

  it('appends nothing when the decider decides nothing', async () => {
    const repository = new AggregateRepository(store, options);
    const result = await repository.handle('tally-2', { type: 'Touch' });
    expect(result).toEqual({ events: [], nextRevision: -1, state: { total: 0, additions: 0 } });
    expect(await store.read('tally-2')).toEqual([]);
  });

  it('lets a domain error through without retrying or appending', async () => {
    const decide = vi.spyOn(tally, 'decide');
    try {
      const repository = new AggregateRepository(store, options);
      await expect(repository.handle('tally-3', { type: 'Add', amount: 0 })).rejects.toBeInstanceOf(
        AmountMustBePositive,
      );
      expect(decide).toHaveBeenCalledTimes(1);
      expect(await store.read('tally-3')).toEqual([]);
    } finally {
      decide.mockRestore();
    }
  });

  it('decides again on the new state when another writer appended first', async () => {
    const otherWriter = new AggregateRepository(store, options);
    let raced = false;
    const racingStore: EventStore = {
      ...countingReads(store).store,
      append: async (stream, events, expected) => {
        if (!raced) {
          raced = true;
          await otherWriter.handle(stream, { type: 'Add', amount: 100 });
        }
        return store.append(stream, events, expected);
      },
    };
    const decide = vi.spyOn(tally, 'decide');
    try {
      const repository = new AggregateRepository(racingStore, options);
      const result = await repository.handle('tally-4', { type: 'Add', amount: 1 });

      expect(result).toMatchObject({ nextRevision: 1, state: { total: 101, additions: 2 } });
      expect(decide).toHaveBeenCalledTimes(3); // ours, the other writer's, ours again
      expect((await store.read('tally-4')).map((event) => event.data)).toEqual([
        { amount: 100, schemaVersion: 2 },
        { amount: 1, schemaVersion: 2 },
      ]);
    } finally {
      decide.mockRestore();
    }
  });

  it('lets concurrent commands of one stream in this process take turns: each decided once, none lost to a conflict', async () => {
    const decide = vi.spyOn(tally, 'decide');
    try {
      // Two repositories on one store, as two use cases of one aggregate: they share the turns.
      const [one, other] = [new AggregateRepository(store, options), new AggregateRepository(store, options)];
      await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 ? one : other).handle('tally-6', { type: 'Add', amount: 1 })),
      );
      expect(decide).toHaveBeenCalledTimes(40);
      expect((await one.load('tally-6')).state).toEqual({ total: 40, additions: 40 });
    } finally {
      decide.mockRestore();
    }
  });

  it('keeps every concurrent command of one stream, retrying the ones that lost a race', async () => {
    const repository = new AggregateRepository(store, { ...options, retry: { maxAttempts: 50, baseDelayMs: 2 } });
    await Promise.all(Array.from({ length: 10 }, () => repository.handle('tally-5', { type: 'Add', amount: 1 })));
    expect((await repository.load('tally-5')).state).toEqual({ total: 10, additions: 10 });
  });

  it('records the session a request was made in on every event it appends, and none outside one', async () => {
    const repository = new AggregateRepository(store, options);

    await withActingSession('session-7', () => repository.handle('tally-s', { type: 'Add', amount: 1 }));
    await repository.handle('tally-s', { type: 'Add', amount: 2 });

    expect((await store.read('tally-s')).map((event) => event.metadata)).toEqual([
      { schemaVersion: 2, actingSessionId: 'session-7', chainHash: expect.any(String) },
      { schemaVersion: 2, chainHash: expect.any(String) },
    ]);
  });

  it("records the request's correlation and causation ids, as a reaction's, on every event appended in its context", async () => {
    const repository = new AggregateRepository(store, options);

    await withRequestContext({ correlationId: 'req-login-1', causationId: 'rpc-1', actingSessionId: 'session-7' }, () =>
      repository.handle('tally-c', { type: 'Add', amount: 1 }),
    );
    // A process manager reacting to the event appended above: caused by it, part of the same login.
    const [cause] = await store.read('tally-c');
    await inRequestContextOf({ correlationId: 'req-login-1', causationId: cause!.id }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      await repository.handle('tally-c', { type: 'Add', amount: 2 });
    });

    expect((await store.read('tally-c')).map((event) => event.metadata)).toEqual([
      {
        schemaVersion: 2,
        actingSessionId: 'session-7',
        correlationId: 'req-login-1',
        causationId: 'rpc-1',
        chainHash: expect.any(String),
      },
      { schemaVersion: 2, correlationId: 'req-login-1', causationId: cause!.id, chainHash: expect.any(String) },
    ]);
  });

  it('times every append by its outcome (totp_mfa_event_store_append_duration_seconds)', async () => {
    const appends = async (outcome: string) =>
      (await metricsRegistry.getMetricsAsJSON())
        .find((metric) => metric.name === 'totp_mfa_event_store_append_duration_seconds')
        ?.values.find(
          (value) =>
            (value as { metricName?: string }).metricName?.endsWith('_count') && value.labels['outcome'] === outcome,
        )?.value ?? 0;
    const before = await appends('ok');
    await new AggregateRepository(store, options).handle('tally-m', { type: 'Add', amount: 1 });
    expect(await appends('ok')).toBe(before + 1);
  });

  describe('its recent states', () => {
    it('reads only the events after the state it last loaded or made, for as many streams as it keeps', async () => {
      const counted = countingReads(store);
      const repository = new AggregateRepository(counted.store, { ...options, recentStates: 2 });
      for (const stream of ['tally-a', 'tally-b', 'tally-c']) {
        await repository.handle(stream, { type: 'Add', amount: 1 });
        await repository.handle(stream, { type: 'Add', amount: 2 });
      }
      counted.eventsRead.clear();

      // tally-b and tally-c are kept (folded, nothing to read); tally-a was pushed out and is read whole.
      expect(await repository.load('tally-c')).toEqual({ state: { total: 3, additions: 2 }, revision: 1 });
      expect(await repository.load('tally-b')).toEqual({ state: { total: 3, additions: 2 }, revision: 1 });
      expect(await repository.load('tally-a')).toEqual({ state: { total: 3, additions: 2 }, revision: 1 });
      expect(Object.fromEntries(counted.eventsRead)).toEqual({ 'tally-c': 0, 'tally-b': 0, 'tally-a': 2 });
    });

    it('folds in what another writer appended after it, and keeps nothing of a stream that does not exist', async () => {
      const counted = countingReads(store);
      const repository = new AggregateRepository(counted.store, options);
      await repository.handle('tally-1', { type: 'Add', amount: 1 });
      await new AggregateRepository(store, options).handle('tally-1', { type: 'Add', amount: 10 });
      counted.eventsRead.clear();

      expect(await repository.handle('tally-1', { type: 'Add', amount: 100 })).toMatchObject({
        nextRevision: 2,
        state: { total: 111, additions: 3 },
      });
      expect(counted.eventsRead.get('tally-1')).toBe(1);

      await repository.load('tally-none');
      await new AggregateRepository(store, options).handle('tally-none', { type: 'Add', amount: 4 });
      expect(await repository.load('tally-none')).toEqual({ state: { total: 4, additions: 1 }, revision: 0 });
    });
  });

  describe("under a caller's deadline", () => {
    it('appends while the caller still waits', async () => {
      const repository = new AggregateRepository(store, options);
      await withDeadline(Date.now() + 60_000, () => repository.handle('tally-d1', { type: 'Add', amount: 1 }));
      expect(await store.read('tally-d1')).toHaveLength(1);
    });

    it('appends nothing once the caller has stopped waiting, even if it arrived in time', async () => {
      // The load takes longer than the caller waits: the command was accepted, but must not act late.
      const slowStore: EventStore = {
        ...store,
        append: (...args) => store.append(...args),
        read: async (...args) => {
          await new Promise((resolve) => setTimeout(resolve, 60));
          return store.read(...args);
        },
        subscribeToAll: (...args) => store.subscribeToAll(...args),
        countEventsAfter: (...args) => store.countEventsAfter(...args),
        truncateBefore: (...args) => store.truncateBefore(...args),
        close: () => store.close(),
      };
      const repository = new AggregateRepository(slowStore, options);
      const late = withDeadline(Date.now() + 20, () => repository.handle('tally-d2', { type: 'Add', amount: 1 }));
      await expect(late).rejects.toBeInstanceOf(DeadlinePassed);
      await expect(late).rejects.toMatchObject({ code: 'service_unavailable' });
      expect(await store.read('tally-d2')).toEqual([]);
    });
  });

  describe('with snapshots', () => {
    const every = 100;
    const snapshotOptions = {
      every,
      serialize: (state: TallyState) => ({ total: state.total, additions: state.additions }),
      deserialize: (json: unknown) => json as TallyState,
    };

    it('keeps no state that started from a snapshot: a snapshot rebuilt meanwhile is what the next load reads', async () => {
      const small = { ...snapshotOptions, every: 2 };
      const writer = new AggregateRepository(store, { ...options, snapshots: new EventStoreSnapshots(store, small) });
      for (const amount of [1, 2, 3]) await writer.handle('tally-s', { type: 'Add', amount });
      const counted = countingReads(store);
      const reader = new AggregateRepository(counted.store, {
        ...options,
        snapshots: new EventStoreSnapshots(counted.store, small),
      });
      expect((await reader.load('tally-s')).state).toEqual({ total: 6, additions: 3 });

      // A wrong snapshot (as a decider bug could write), then its repair: each load reads the snapshot again.
      await new EventStoreSnapshots(store, small).save('tally-s', { total: -1, additions: 3 }, 2);
      expect((await reader.load('tally-s')).state).toEqual({ total: -1, additions: 3 });
      await new EventStoreSnapshots(store, small).save('tally-s', { total: 6, additions: 3 }, 2);
      expect((await reader.load('tally-s')).state).toEqual({ total: 6, additions: 3 });
      expect(counted.eventsRead.get('tally_snapshot-s')).toBe(3);
      // The writer folded its state from the events: it keeps it, and never needed the snapshot.
      expect((await writer.load('tally-s')).state).toEqual({ total: 6, additions: 3 });
    });

    it('loads a 1,000-event stream by reading at most `every` events after the latest snapshot', async () => {
      const writer = new AggregateRepository(store, {
        ...options,
        snapshots: new EventStoreSnapshots(store, snapshotOptions),
      });
      for (let i = 1; i <= 1_000; i += 1) await writer.handle('tally-long', { type: 'Add', amount: i });
      await writer.handle('tally-long', { type: 'Add', amount: 1 }); // one event past the last snapshot

      const counted = countingReads(store);
      const reader = new AggregateRepository(counted.store, {
        ...options,
        snapshots: new EventStoreSnapshots(counted.store, snapshotOptions),
      });
      const loaded = await reader.load('tally-long');

      expect(loaded).toEqual({ state: { total: 500_501, additions: 1_001 }, revision: 1_000 });
      expect(counted.eventsRead.get('tally-long')).toBe(1);
      expect(counted.eventsRead.get('tally_snapshot-long')).toBe(1);
      // Ten snapshots were saved; only the newest is kept (snapshots.spec.ts).
      await expect
        .poll(async () =>
          (await store.read('tally_snapshot-long')).map((event) => [event.revision, event.data.revision]),
        )
        .toEqual([[9, 10 * every - 1]]);
      expect(await store.read('tally-long')).toHaveLength(1_001);
    });

    it('replays the whole stream without snapshots (the baseline the snapshots beat)', async () => {
      const added = Array.from({ length: 1_000 }, () => ({
        id: crypto.randomUUID(),
        type: 'Added',
        data: { schemaVersion: 2, amount: 1 },
      }));
      await store.append('tally-plain', added, 'no_stream');

      const counted = countingReads(store);
      await new AggregateRepository(counted.store, options).load('tally-plain');
      expect(counted.eventsRead.get('tally-plain')).toBe(1_000);
    });

    it('ignores a snapshot of another state version and replays the stream', async () => {
      const writer = new AggregateRepository(store, {
        ...options,
        snapshots: new EventStoreSnapshots(store, { ...snapshotOptions, every: 2, version: 1 }),
      });
      for (let i = 0; i < 4; i += 1) await writer.handle('tally-v', { type: 'Add', amount: 1 });

      const counted = countingReads(store);
      const reader = new AggregateRepository(counted.store, {
        ...options,
        snapshots: new EventStoreSnapshots(counted.store, { ...snapshotOptions, every: 2, version: 2 }),
      });
      expect(await reader.load('tally-v')).toEqual({ state: { total: 4, additions: 4 }, revision: 3 });
      expect(counted.eventsRead.get('tally-v')).toBe(4);
    });

    it('succeeds and reports when a snapshot cannot be saved', async () => {
      const onSnapshotError = vi.fn();
      const failingSnapshots = {
        every: 1,
        load: () => Promise.resolve(null),
        save: () => Promise.reject(new Error('disk full')),
      };
      const repository = new AggregateRepository(store, { ...options, snapshots: failingSnapshots, onSnapshotError });

      await expect(repository.handle('tally-s', { type: 'Add', amount: 3 })).resolves.toMatchObject({
        nextRevision: 0,
      });
      expect(onSnapshotError).toHaveBeenCalledWith(expect.objectContaining({ message: 'disk full' }), 'tally-s');
      expect(await store.read('tally-s')).toHaveLength(1);
    });
  });
});

describe('snapshot stream names', () => {
  it('puts snapshots in a sibling stream of the same category', () => {
    expect(snapshotStreamOf('mfa-42')).toBe('mfa_snapshot-42');
    expect(snapshotStreamOf('org-policy-7')).toBe('org_snapshot-policy-7');
    expect(snapshotStreamOf('settings')).toBe('settings_snapshot');
  });

  it('tells snapshot streams from aggregate streams', () => {
    expect(isSnapshotStream('mfa_snapshot-42')).toBe(true);
    expect(isSnapshotStream('settings_snapshot')).toBe(true);
    expect(isSnapshotStream('mfa-42')).toBe(false);
    expect(isSnapshotStream('mfa-x_snapshot')).toBe(false);
  });
});
