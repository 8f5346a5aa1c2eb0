/**
 * The behaviour every EventStore adapter must show, as one vitest suite that each
 * adapter's spec runs. Streams get random names, so the suite also runs against
 * a shared EventStoreDB that holds other data. Not exported from index.ts: it
 * imports vitest.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WrongExpectedVersion, type EventStore, type NewEvent, type RecordedEvent } from './event-store.port.js';
import { CHAIN_HASH_METADATA, GENESIS_HASH, eventDigest, linkHash, verifyStreamChain } from './hash-chain.js';

export interface EventStoreContractOptions {
  /** When set, the suite is reported as skipped, with this reason in its name. */
  readonly skipReason?: string;
  /** Per test; a remote store needs more than the default. */
  readonly timeoutMs?: number;
}

/**
 * `makeStore` must open the same underlying store every time it is called
 * (the same file, the same server): the resume test closes one instance and
 * continues with another.
 */
export function describeEventStoreContract(
  name: string,
  makeStore: () => Promise<EventStore>,
  options: EventStoreContractOptions = {},
): void {
  const title = options.skipReason
    ? `${name} event-store contract — skipped: ${options.skipReason}`
    : `${name} event-store contract`;
  const describeOrSkip = options.skipReason ? describe.skip : describe;

  describeOrSkip(title, { timeout: options.timeoutMs ?? 15_000 }, () => {
    let store: EventStore;
    const opened: EventStore[] = [];
    const open = async (): Promise<EventStore> => {
      const instance = await makeStore();
      opened.push(instance);
      return instance;
    };

    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await Promise.all(opened.map((instance) => instance.close()));
    });

    describe('append and expected revisions', () => {
      it('appends to a new stream with no_stream and numbers events from revision 0', async () => {
        const stream = uniqueStream();
        const result = await store.append(
          stream,
          [newEvent('Opened', { n: 1 }), newEvent('Renamed', { n: 2 })],
          'no_stream',
        );
        expect(result.nextRevision).toBe(1);

        const events = await store.read(stream);
        expect(events.map((event) => [event.revision, event.type, event.data])).toEqual([
          [0, 'Opened', { n: 1 }],
          [1, 'Renamed', { n: 2 }],
        ]);
      });

      it('round-trips ids, stream, data, metadata and the recording time', async () => {
        const stream = uniqueStream();
        const event = newEvent('Opened', { nested: { list: [1, 'two', null], flag: true } }, { correlationId: 'c-1' });
        const before = Date.now();
        await store.append(stream, [event], 'no_stream');

        const [recorded] = await store.read(stream);
        expect(recorded).toMatchObject({
          id: event.id,
          stream,
          revision: 0,
          type: 'Opened',
          data: { nested: { list: [1, 'two', null], flag: true } },
          metadata: { correlationId: 'c-1' },
        });
        expect(typeof recorded?.position).toBe('bigint');
        expect(recorded?.recordedAt).toBeInstanceOf(Date);
        expect(recorded?.recordedAt.getTime()).toBeGreaterThan(before - 60_000);
      });

      it('appends at the current revision', async () => {
        const stream = uniqueStream();
        await store.append(stream, [newEvent('A')], 'no_stream');
        const result = await store.append(stream, [newEvent('B'), newEvent('C')], 0);
        expect(result.nextRevision).toBe(2);
        expect((await store.read(stream)).map((event) => event.type)).toEqual(['A', 'B', 'C']);
      });

      it('rejects a stale expected revision with WrongExpectedVersion and writes nothing', async () => {
        const stream = uniqueStream();
        await store.append(stream, [newEvent('A'), newEvent('B')], 'no_stream');

        const stale = store.append(stream, [newEvent('Late')], 0);
        await expect(stale).rejects.toBeInstanceOf(WrongExpectedVersion);
        await expect(stale).rejects.toMatchObject({ stream, expected: 0, actual: 1 });
        expect((await store.read(stream)).map((event) => event.type)).toEqual(['A', 'B']);
      });

      it('rejects an expected revision ahead of the stream', async () => {
        const stream = uniqueStream();
        await store.append(stream, [newEvent('A')], 'no_stream');
        await expect(store.append(stream, [newEvent('B')], 5)).rejects.toBeInstanceOf(WrongExpectedVersion);
        expect(await store.read(stream)).toHaveLength(1);
      });

      it('rejects a revision expected of a stream that does not exist', async () => {
        const stream = uniqueStream();
        await expect(store.append(stream, [newEvent('A')], 0)).rejects.toMatchObject({
          name: 'WrongExpectedVersion',
          actual: 'no_stream',
        });
        expect(await store.read(stream)).toEqual([]);
      });

      it('rejects no_stream when the stream exists', async () => {
        const stream = uniqueStream();
        await store.append(stream, [newEvent('A')], 'no_stream');

        const again = store.append(stream, [newEvent('B')], 'no_stream');
        await expect(again).rejects.toBeInstanceOf(WrongExpectedVersion);
        await expect(again).rejects.toMatchObject({ expected: 'no_stream', actual: 0 });
        expect(await store.read(stream)).toHaveLength(1);
      });

      it("appends with 'any' whether or not the stream exists", async () => {
        const stream = uniqueStream();
        expect((await store.append(stream, [newEvent('A')], 'any')).nextRevision).toBe(0);
        expect((await store.append(stream, [newEvent('B')], 'any')).nextRevision).toBe(1);
        expect((await store.read(stream)).map((event) => event.type)).toEqual(['A', 'B']);
      });

      it('lets exactly one of several concurrent appends at the same revision win', async () => {
        const stream = uniqueStream();
        await store.append(stream, [newEvent('Opened')], 'no_stream');

        const writers = 8;
        const outcomes = await Promise.allSettled(
          Array.from({ length: writers }, (_, writer) => store.append(stream, [newEvent('Claimed', { writer })], 0)),
        );

        const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
        const lost = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(writers - 1);
        for (const reason of lost) expect(reason).toBeInstanceOf(WrongExpectedVersion);
        expect((await store.read(stream)).map((event) => event.type)).toEqual(['Opened', 'Claimed']);
      });
    });

    describe('idempotent appends', () => {
      it('stores a retried append once and answers with the same revision', async () => {
        const stream = uniqueStream();
        const batch = [newEvent('A'), newEvent('B')];
        const first = await store.append(stream, batch, 'no_stream');
        const retried = await store.append(stream, batch, 'no_stream');

        expect(retried.nextRevision).toBe(first.nextRevision);
        expect((await store.read(stream)).map((event) => event.id)).toEqual(batch.map((event) => event.id));
      });

      it("stores a retried append once with 'any'", async () => {
        const stream = uniqueStream();
        await store.append(stream, [newEvent('A')], 'no_stream');
        const batch = [newEvent('B')];
        const first = await store.append(stream, batch, 0);
        const retried = await store.append(stream, batch, 'any');

        expect(retried.nextRevision).toBe(first.nextRevision);
        expect((await store.read(stream)).map((event) => event.type)).toEqual(['A', 'B']);
      });
    });

    describe('the hash chain', () => {
      const hashesOf = (events: readonly RecordedEvent[]) => events.map((event) => event.metadata[CHAIN_HASH_METADATA]);

      it('chains every event from revision 0, whatever revision each append expected', async () => {
        const stream = uniqueStream();
        await store.append(stream, [newEvent('A', { n: 1 }), newEvent('B', { n: 2 })], 'no_stream');
        await store.append(stream, [newEvent('C', { when: new Date('2030-01-02T03:04:05Z') })], 1);
        await store.append(stream, [newEvent('D', { list: [3, { z: 1, a: 2 }] }, { correlationId: 'c-9' })], 'any');

        const events = await store.read(stream);
        expect(verifyStreamChain(events)).toEqual({ chainStartsAt: 0, breaks: [] });
        // Recomputed here from the definition, not by the verifier: genesis, then each link.
        let previous = GENESIS_HASH;
        for (const event of events) {
          previous = linkHash(previous, eventDigest(event));
          expect(event.metadata[CHAIN_HASH_METADATA]).toBe(previous);
        }
        expect(events[3]?.metadata).toMatchObject({ correlationId: 'c-9' });
      });

      it('tells a changed event, at its revision', async () => {
        const stream = uniqueStream();
        await store.append(
          stream,
          [newEvent('A', { step: 1 }), newEvent('B', { step: 2 }), newEvent('C')],
          'no_stream',
        );
        const events = await store.read(stream);

        const edited = events.map((event) => (event.revision === 1 ? { ...event, data: { step: 3 } } : event));
        expect(verifyStreamChain(edited).breaks).toEqual([
          expect.objectContaining({ stream, revision: 1, problem: 'hash-mismatch' }),
        ]);
        const moved = events.map((event) => (event.revision === 2 ? { ...event, stream: `${stream}x` } : event));
        expect(verifyStreamChain(moved).breaks).toEqual([expect.objectContaining({ revision: 2 })]);
        const stripped = events.map((event) => (event.revision === 2 ? { ...event, metadata: {} } : event));
        expect(verifyStreamChain(stripped).breaks).toEqual([
          expect.objectContaining({ revision: 2, problem: 'hash-missing' }),
        ]);
      });

      it('replaces a chain hash the caller put in the metadata', async () => {
        const stream = uniqueStream();
        await store.append(stream, [newEvent('A', {}, { [CHAIN_HASH_METADATA]: 'f'.repeat(64) })], 'no_stream');
        const events = await store.read(stream);
        expect(events[0]?.metadata[CHAIN_HASH_METADATA]).not.toBe('f'.repeat(64));
        expect(verifyStreamChain(events).breaks).toEqual([]);
      });

      it('leaves the chain as it was when an append is retried', async () => {
        const stream = uniqueStream();
        const batch = [newEvent('A'), newEvent('B')];
        await store.append(stream, batch, 'no_stream');
        const before = hashesOf(await store.read(stream));
        await store.append(stream, batch, 'no_stream');
        await store.append(stream, batch, 'any');
        await store.append(stream, [newEvent('C')], 1);

        const events = await store.read(stream);
        expect(hashesOf(events).slice(0, 2)).toEqual(before);
        expect(verifyStreamChain(events)).toEqual({ chainStartsAt: 0, breaks: [] });
      });

      it('chains the one winner of concurrent appends, and appends at any in turn', async () => {
        const stream = uniqueStream();
        await store.append(stream, [newEvent('Opened')], 'no_stream');
        await Promise.allSettled(
          Array.from({ length: 6 }, (_, writer) => store.append(stream, [newEvent('Claimed', { writer })], 0)),
        );
        await Promise.all(
          Array.from({ length: 6 }, (_, writer) => store.append(stream, [newEvent('Any', { writer })], 'any')),
        );

        const events = await store.read(stream);
        expect(events).toHaveLength(8);
        expect(verifyStreamChain(events)).toEqual({ chainStartsAt: 0, breaks: [] });
      });
    });

    describe('truncating a bookkeeping stream', () => {
      const revisionsOf = (events: readonly RecordedEvent[]) => events.map((event) => event.revision);
      const filled = async (count: number): Promise<string> => {
        const stream = uniqueStream();
        await store.append(
          stream,
          Array.from({ length: count }, (_, n) => newEvent('Checkpointed', { n })),
          'no_stream',
        );
        return stream;
      };

      it('keeps the events from the revision on, with their revisions, forwards and backwards', async () => {
        const stream = await filled(6);
        await store.truncateBefore(stream, 4);

        expect(revisionsOf(await store.read(stream))).toEqual([4, 5]);
        expect((await store.read(stream)).map((event) => event.data)).toEqual([{ n: 4 }, { n: 5 }]);
        expect(revisionsOf(await store.read(stream, { fromRevision: 1 }))).toEqual([4, 5]);
        expect(revisionsOf(await store.read(stream, { direction: 'backwards' }))).toEqual([5, 4]);
        expect(revisionsOf(await store.read(stream, { direction: 'backwards', maxCount: 1 }))).toEqual([5]);
        expect(await store.read(stream, { direction: 'backwards', fromRevision: 3 })).toEqual([]);
      });

      it('goes on appending after the last event, at the expected revision', async () => {
        const stream = await filled(5);
        await store.truncateBefore(stream, 4);

        await expect(store.append(stream, [newEvent('Late')], 3)).rejects.toMatchObject({
          name: 'WrongExpectedVersion',
          actual: 4,
        });
        await expect(store.append(stream, [newEvent('Again')], 'no_stream')).rejects.toBeInstanceOf(
          WrongExpectedVersion,
        );
        expect(await store.append(stream, [newEvent('Next')], 4)).toEqual({ nextRevision: 5 });
        expect(await store.append(stream, [newEvent('AnyOne')], 'any')).toEqual({ nextRevision: 6 });
        expect(revisionsOf(await store.read(stream))).toEqual([4, 5, 6]);
      });

      it('leaves a chain that verifies from the first kept event, whose stored hash anchors it', async () => {
        const stream = await filled(5);
        const before = await store.read(stream);
        await store.truncateBefore(stream, 3);
        await store.append(stream, [newEvent('Next', { n: 5 })], 4);
        await store.append(stream, [newEvent('AnyOne', { n: 6 })], 'any');

        const kept = await store.read(stream);
        expect(kept.map((event) => event.metadata[CHAIN_HASH_METADATA])).toEqual([
          ...before.slice(3).map((event) => event.metadata[CHAIN_HASH_METADATA]),
          linkHash(before[4]!.metadata[CHAIN_HASH_METADATA] as string, eventDigest(kept[2]!)),
          linkHash(kept[2]!.metadata[CHAIN_HASH_METADATA] as string, eventDigest(kept[3]!)),
        ]);
        expect(verifyStreamChain(kept, { anchored: true })).toEqual({ chainStartsAt: 3, breaks: [] });
        // Without its anchor the first kept event reads as chained from zeros, which it is not.
        expect(verifyStreamChain(kept).breaks).toEqual([
          expect.objectContaining({ revision: 3, problem: 'hash-mismatch' }),
        ]);
        // The anchor vouches for the rest: a changed event after it is still told.
        const edited = kept.map((event) => (event.revision === 5 ? { ...event, data: { n: 50 } } : event));
        expect(verifyStreamChain(edited, { anchored: true }).breaks).toEqual([
          expect.objectContaining({ revision: 5, problem: 'hash-mismatch' }),
        ]);
      });

      it('is idempotent, never brings events back, and always keeps the last event', async () => {
        const stream = await filled(6);
        await store.truncateBefore(stream, 2);
        await store.truncateBefore(stream, 2);
        expect(revisionsOf(await store.read(stream))).toEqual([2, 3, 4, 5]);
        await store.truncateBefore(stream, 1);
        await store.truncateBefore(stream, 0);
        expect(revisionsOf(await store.read(stream))).toEqual([2, 3, 4, 5]);
        await store.truncateBefore(stream, 100);
        expect(revisionsOf(await store.read(stream))).toEqual([5]);
        expect(await store.append(stream, [newEvent('Next')], 5)).toEqual({ nextRevision: 6 });
      });

      it('does nothing to an unknown stream, and refuses a revision that is not an integer >= 0', async () => {
        const stream = uniqueStream();
        await store.truncateBefore(stream, 3);
        expect(await store.read(stream)).toEqual([]);
        expect(await store.append(stream, [newEvent('First')], 'no_stream')).toEqual({ nextRevision: 0 });
        await expect(store.truncateBefore(stream, -1)).rejects.toBeInstanceOf(RangeError);
        await expect(store.truncateBefore(stream, 1.5)).rejects.toBeInstanceOf(RangeError);
      });

      it('truncates while others append at any, leaving no gap and an unbroken chain', async () => {
        const stream = await filled(1);
        await Promise.all(
          Array.from({ length: 12 }, async (_, n) => {
            const { nextRevision } = await store.append(stream, [newEvent('Checkpointed', { n })], 'any');
            await store.truncateBefore(stream, nextRevision);
          }),
        );
        await store.append(stream, [newEvent('Checkpointed', { n: 'last' })], 'any');

        const kept = await store.read(stream);
        expect(kept.at(-1)?.revision).toBe(13);
        expect(revisionsOf(kept)).toEqual(Array.from({ length: kept.length }, (_, i) => kept[0]!.revision + i));
        expect(verifyStreamChain(kept, { anchored: true }).breaks).toEqual([]);
      });

      it('leaves other streams alone', async () => {
        const truncated = await filled(3);
        const other = await filled(3);
        await store.truncateBefore(truncated, 2);
        expect(revisionsOf(await store.read(other))).toEqual([0, 1, 2]);
      });
    });

    describe('reading a stream', () => {
      const types = ['E0', 'E1', 'E2', 'E3', 'E4'];
      let stream: string;
      beforeAll(async () => {
        stream = uniqueStream();
        await store.append(
          stream,
          types.map((type) => newEvent(type)),
          'no_stream',
        );
      });

      const read = async (options: Parameters<EventStore['read']>[1]) =>
        (await store.read(stream, options)).map((event) => event.type);

      it('reads forwards by default', async () => {
        expect(await read(undefined)).toEqual(types);
      });
      it('reads backwards from the end', async () => {
        expect(await read({ direction: 'backwards' })).toEqual([...types].reverse());
      });
      it('reads forwards from a revision, inclusive', async () => {
        expect(await read({ fromRevision: 2 })).toEqual(['E2', 'E3', 'E4']);
      });
      it('reads backwards from a revision, inclusive', async () => {
        expect(await read({ direction: 'backwards', fromRevision: 2 })).toEqual(['E2', 'E1', 'E0']);
      });
      it('limits the count forwards and backwards', async () => {
        expect(await read({ maxCount: 2 })).toEqual(['E0', 'E1']);
        expect(await read({ fromRevision: 3, maxCount: 1 })).toEqual(['E3']);
        expect(await read({ direction: 'backwards', maxCount: 1 })).toEqual(['E4']);
      });
      it('reads nothing past the end', async () => {
        expect(await read({ fromRevision: 5 })).toEqual([]);
      });
      it('gives events of one stream strictly increasing positions', async () => {
        const positions = (await store.read(stream)).map((event) => event.position);
        expect(positions).toEqual([...positions].sort(compareBigints));
        expect(new Set(positions).size).toBe(positions.length);
      });
      it('reads an unknown stream as empty', async () => {
        expect(await store.read(uniqueStream())).toEqual([]);
        expect(await store.read(uniqueStream(), { direction: 'backwards', maxCount: 1 })).toEqual([]);
      });
    });

    describe('subscribeToAll', () => {
      it('delivers every event once, in global order, before and after subscribing', async () => {
        const [streamA, streamB, streamC] = [uniqueStream(), uniqueStream(), uniqueStream()];
        const ours = new Set([streamA, streamB, streamC]);
        const expected: string[] = [];
        const appendTracked = async (stream: string, events: NewEvent[], revision: 'no_stream' | number) => {
          await store.append(stream, events, revision);
          expected.push(...events.map((event) => event.id));
        };

        await appendTracked(streamA, [newEvent('A0'), newEvent('A1')], 'no_stream');
        await appendTracked(streamB, [newEvent('B0')], 'no_stream');
        await appendTracked(streamA, [newEvent('A2')], 1);

        const collector = collectFrom(store, undefined, (event) => ours.has(event.stream));
        try {
          await collector.waitFor(expected.length);
          await appendTracked(streamC, [newEvent('C0'), newEvent('C1')], 'no_stream');
          await appendTracked(streamB, [newEvent('B1')], 0);
          await appendTracked(streamA, [newEvent('A3')], 2);
          await collector.waitFor(expected.length);
          // A moment for a duplicate or stray delivery to show up.
          await delay(150);
        } finally {
          await collector.subscription.close();
        }

        expect(collector.events.map((event) => event.id)).toEqual(expected);
        expect(collector.allPositions).toEqual([...collector.allPositions].sort(compareBigints));
        expect(new Set(collector.allPositions).size).toBe(collector.allPositions.length);
      });

      it('resumes after a checkpoint in a reopened store without gaps or repeats', async () => {
        const [streamA, streamB] = [uniqueStream(), uniqueStream()];
        const ours = new Set([streamA, streamB]);
        const batchA = [newEvent('A0'), newEvent('A1'), newEvent('A2')];
        const batchB = [newEvent('B0'), newEvent('B1')];
        const expected = [...batchA, ...batchB].map((event) => event.id);
        const firstStore = await open();
        await firstStore.append(streamA, batchA, 'no_stream');
        await firstStore.append(streamB, batchB, 'no_stream');

        // Stop inside the first append's batch, as a crash could.
        const first = collectFrom(firstStore, undefined, (event) => ours.has(event.stream), { stopAfter: 2 });
        await first.waitFor(2);
        await first.subscription.close();
        await firstStore.close();
        expect(first.events).toHaveLength(2);
        const checkpoint = first.lastPosition;

        const reopened = await open();
        const later = [newEvent('A3'), newEvent('A4')];
        await reopened.append(streamA, later, 2);
        expected.push(...later.map((event) => event.id));

        const resumed = collectFrom(reopened, checkpoint, (event) => ours.has(event.stream));
        try {
          await resumed.waitFor(expected.length - first.events.length);
          await delay(150);
        } finally {
          await resumed.subscription.close();
        }

        expect([...first.events, ...resumed.events].map((event) => event.id)).toEqual(expected);
      });

      it('delivers only the streams of the given prefixes, in global order, and resumes filtered', async () => {
        const [mine, alsoMine, other] = [uniquePrefix(), uniquePrefix(), uniquePrefix()];
        const expected: string[] = [];
        const appendTo = async (stream: string, keep: boolean) => {
          const event = newEvent('E');
          await store.append(stream, [event], 'any');
          if (keep) expected.push(event.id);
        };
        await appendTo(`${mine}1`, true);
        await appendTo(`${other}1`, false);
        await appendTo(`${alsoMine}1`, true);
        // The prefix is the start of the name, not anywhere in it.
        await appendTo(`x${mine}2`, false);
        await appendTo(`${mine}`, true);

        const ours = (event: RecordedEvent) => event.stream.startsWith(mine) || event.stream.startsWith(alsoMine);
        const filtered = collectFrom(store, undefined, () => true, { streamPrefixes: [mine, alsoMine] });
        try {
          await filtered.waitFor(expected.length);
          await appendTo(`${other}1`, false);
          await appendTo(`${alsoMine}1`, true);
          await filtered.waitFor(expected.length);
          await delay(150);
        } finally {
          await filtered.subscription.close();
        }
        expect(filtered.events.map((event) => event.id)).toEqual(expected);
        expect(filtered.events.every(ours)).toBe(true);

        const resumed = collectFrom(store, filtered.events[1]?.position, () => true, {
          streamPrefixes: [mine, alsoMine],
        });
        try {
          await resumed.waitFor(expected.length - 2);
          await delay(150);
        } finally {
          await resumed.subscription.close();
        }
        expect(resumed.events.map((event) => event.id)).toEqual(expected.slice(2));
      });

      it('refuses an empty list of prefixes or an empty prefix', () => {
        const handlers = { onEvent: () => undefined };
        expect(() => store.subscribeToAll({ streamPrefixes: [] }, handlers)).toThrow(RangeError);
        expect(() => store.subscribeToAll({ streamPrefixes: ['a-', ''] }, handlers)).toThrow(RangeError);
      });

      it('waits for the running handler when closed, and delivers nothing after', async () => {
        const stream = uniqueStream();
        await store.append(stream, [newEvent('A'), newEvent('B'), newEvent('C')], 'no_stream');

        let handlerRunning = false;
        let handlerFinished = false;
        const delivered: string[] = [];
        let reachedFirst!: () => void;
        const firstReached = new Promise<void>((resolve) => (reachedFirst = resolve));
        const subscription = store.subscribeToAll(
          {},
          {
            onEvent: async (event) => {
              if (event.stream !== stream) return;
              delivered.push(event.type);
              handlerRunning = true;
              reachedFirst();
              await delay(100);
              handlerRunning = false;
              handlerFinished = true;
            },
          },
        );
        await firstReached;
        await subscription.close();
        expect(handlerRunning).toBe(false);
        expect(handlerFinished).toBe(true);
        await delay(100);
        expect(delivered).toEqual(['A']);
      });

      it('stops on a handler error and reports it', async () => {
        const stream = uniqueStream();
        await store.append(stream, [newEvent('A'), newEvent('B')], 'no_stream');
        const delivered: string[] = [];
        const failure = new Error('handler failed');
        let reportError!: (error: unknown) => void;
        const reported = new Promise<unknown>((resolve) => (reportError = resolve));

        const subscription = store.subscribeToAll(
          {},
          {
            onEvent: (event) => {
              if (event.stream !== stream) return;
              delivered.push(event.type);
              throw failure;
            },
            onError: reportError,
          },
        );
        expect(await reported).toBe(failure);
        await delay(100);
        await subscription.close();
        expect(delivered).toEqual(['A']);
      });
    });
    describe('countEventsAfter', () => {
      it('counts the events of the filtered streams after a position, up to a limit', async () => {
        const [mine, other] = [uniquePrefix(), uniquePrefix()];
        await store.append(`${mine}a`, [newEvent('A0'), newEvent('A1'), newEvent('A2')], 'no_stream');
        await store.append(`${other}b`, [newEvent('B0'), newEvent('B1')], 'no_stream');
        await store.append(`${mine}c`, [newEvent('C0')], 'no_stream');
        const events = await store.read(`${mine}a`);
        const streamPrefixes = [mine];

        expect(await store.countEventsAfter(undefined, { streamPrefixes, limit: 100 })).toBe(4);
        // After the first event of a three-event append: its two others, and the later append.
        expect(await store.countEventsAfter(events[0]?.position, { streamPrefixes, limit: 100 })).toBe(3);
        expect(await store.countEventsAfter(events[2]?.position, { streamPrefixes, limit: 100 })).toBe(1);
        expect(await store.countEventsAfter(events[0]?.position, { streamPrefixes, limit: 2 })).toBe(2);
        expect(await store.countEventsAfter(events[0]?.position, { streamPrefixes: [other], limit: 100 })).toBe(2);
        const [last] = await store.read(`${mine}c`);
        expect(await store.countEventsAfter(last?.position, { streamPrefixes: [mine, other], limit: 100 })).toBe(0);
      });

      it('counts every stream without a filter', async () => {
        const stream = uniqueStream();
        await store.append(stream, [newEvent('A'), newEvent('B')], 'no_stream');
        const [first] = await store.read(stream);
        expect(await store.countEventsAfter(first?.position, { limit: 1000 })).toBeGreaterThanOrEqual(1);
      });
    });
  });
}

interface Collector {
  readonly subscription: ReturnType<EventStore['subscribeToAll']>;
  /** Delivered events that passed the filter. */
  readonly events: RecordedEvent[];
  /** Positions of every delivered event, filtered or not. */
  readonly allPositions: bigint[];
  readonly lastPosition: bigint | undefined;
  waitFor(count: number): Promise<void>;
}

function collectFrom(
  store: EventStore,
  fromPosition: bigint | undefined,
  keep: (event: RecordedEvent) => boolean,
  options: { stopAfter?: number; streamPrefixes?: readonly string[] } = {},
): Collector {
  const events: RecordedEvent[] = [];
  const allPositions: bigint[] = [];
  let lastPosition: bigint | undefined;
  let failure: unknown;
  const filter = options.streamPrefixes ? { streamPrefixes: options.streamPrefixes } : {};
  const subscription = store.subscribeToAll(fromPosition === undefined ? filter : { ...filter, fromPosition }, {
    onEvent: (event) => {
      allPositions.push(event.position);
      if (keep(event)) {
        events.push(event);
        lastPosition = event.position;
        // Closing from inside the handler: not awaited, since close() waits for this very call.
        if (events.length === options.stopAfter) void subscription.close();
      }
    },
    onError: (error) => (failure = error),
  });
  return {
    subscription,
    events,
    allPositions,
    get lastPosition() {
      return lastPosition;
    },
    async waitFor(count) {
      const deadline = Date.now() + 10_000;
      while (events.length < count) {
        if (failure) throw failure;
        if (Date.now() > deadline) throw new Error(`received ${events.length} of ${count} events`);
        await delay(10);
      }
    },
  };
}

function uniqueStream(): string {
  return `contract-${randomUUID().replaceAll('-', '')}`;
}

/** A category of streams of its own (`contract<id>-`), as a service's `mfa-`. */
function uniquePrefix(): string {
  return `contract${randomUUID().replaceAll('-', '')}-`;
}

function newEvent(type: string, data: Record<string, unknown> = {}, metadata?: Record<string, unknown>): NewEvent {
  return { id: randomUUID(), type, data, ...(metadata ? { metadata } : {}) };
}

function compareBigints(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
