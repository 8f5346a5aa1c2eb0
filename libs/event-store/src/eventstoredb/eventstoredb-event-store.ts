import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type CurrentRevision,
  type Position as EsdbPosition,
  type RecordedEvent as EsdbRecordedEvent,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { assertValidExpectedRevision, assertValidTruncateRevision } from '../expected-revision.js';
import { chainHashOf, withChainHashes } from '../hash-chain.js';
import { assertValidCountLimit, streamPrefixesOf } from '../stream-filter.js';
import { reportSubscriptionError } from '../subscription-error.js';
import {
  WrongExpectedVersion,
  type AppendResult,
  type CountOptions,
  type EventStore,
  type EventLogReader,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type ReadOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionHandlers,
} from '../event-store.port.js';

/** Events of `$all` looked at per page while counting (`countEventsAfter`). */
const COUNT_PAGE_SIZE = 500;
/** At most this many events of `$all` are looked at by one count: other services' events count against it. */
const COUNT_SCAN_LIMIT = 10_000;
/** Attempts of an append at 'any' that other writers keep overtaking (see appendAtAny). */
const ANY_APPEND_ATTEMPTS = 20;

/**
 * EventStoreDB (and its successor KurrentDB, same client surface) behind the port.
 * The only file that names the client package.
 *
 * A position in `$all` is a pair: the commit position (of the append that
 * wrote the event, which the events of one multi-event append can share) and
 * the prepare position (of the event itself). Only both say where exactly a
 * subscription resumes, and only both tell the events of one append apart:
 * with the commit position alone, a relay stopped in the middle of an append
 * would publish that append's later events again. The port's one bigint
 * carries both, packed as `commit · 2^64 + prepare` (`packPosition`): each
 * fits in 64 bits (the server's are unsigned 64-bit), and the packed numbers
 * order exactly like `$all`, commit first, then prepare.
 */
export class EventStoreDbEventStore implements EventStore, EventLogReader {
  private readonly client: EventStoreDBClient;
  private readonly subscriptions = new Set<Subscription>();
  private closed = false;

  /** @param connectionString `esdb://host:2113?tls=false`; never echoed in errors, it may hold a password. */
  constructor(connectionString: string) {
    try {
      this.client = EventStoreDBClient.connectionString(connectionString);
    } catch (error) {
      throw new Error(
        `EVENTSTORE_URL is not a valid EventStoreDB connection string (expected esdb://host:port?tls=false): ${
          error instanceof Error ? error.message : String(error)
        }`,
      );
    }
  }

  /**
   * The chain hash of the new events is computed from the event they follow,
   * and the server's expected-revision check is what makes that event the one
   * they follow:
   * - at a revision N: the hash of event N, read first. Events never change,
   *   so if the server then accepts the append at N, the new events do follow
   *   exactly that event. No event N yet: the stream is behind N, refused as
   *   the server would refuse it.
   * - at 'no_stream': they start the chain; the server refuses them if the
   *   stream exists (or stores nothing for a retried append).
   * - at 'any': see appendAtAny.
   * A retried append (same ids) is answered by the server without storing
   * anything, so the hashes computed for it are never written.
   */
  async append(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    assertValidExpectedRevision(expected);
    if (expected === 'any') return this.appendAtAny(stream, events);
    let previousHash: string | undefined;
    if (typeof expected === 'number') {
      const [previous] = await this.read(stream, { fromRevision: expected, maxCount: 1 });
      if (previous?.revision !== expected) {
        const [last] = await this.read(stream, { direction: 'backwards', maxCount: 1 });
        throw new WrongExpectedVersion(stream, expected, last ? last.revision : 'no_stream');
      }
      previousHash = chainHashOf(previous.metadata);
    }
    return this.appendAt(
      stream,
      withChainHashes(stream, expected === 'no_stream' ? 0 : expected + 1, previousHash, events),
      expected,
    );
  }

  /**
   * 'any' becomes the revision found at the end of the stream, so the chain
   * is computed from that event and the server refuses the append should
   * another writer get there first; then it is tried again from the new end
   * (an append at 'any' is never refused for a conflict). A retry of an append
   * that is the stream's latest (same ids at its end) is answered with its
   * revision, storing nothing: the port's idempotence at 'any'. Unlike the
   * server's own check at 'any', a retry that comes after other events were
   * appended on top of the original is not recognised (the services append at
   * 'any' only snapshots, with fresh ids, and never retry them).
   */
  private async appendAtAny(stream: string, events: readonly NewEvent[]): Promise<AppendResult> {
    for (let attempt = 1; ; attempt += 1) {
      const tail = (
        await this.read(stream, { direction: 'backwards', maxCount: Math.max(1, events.length) })
      ).reverse();
      const last = tail[tail.length - 1];
      if (events.length > 0 && tail.length === events.length && tail.every((event, i) => event.id === events[i]!.id)) {
        return { nextRevision: last!.revision };
      }
      const expected: ExpectedRevision = last ? last.revision : 'no_stream';
      const chained = withChainHashes(stream, last ? last.revision + 1 : 0, last && chainHashOf(last.metadata), events);
      try {
        return await this.appendAt(stream, chained, expected);
      } catch (error) {
        if (!(error instanceof WrongExpectedVersion) || attempt >= ANY_APPEND_ATTEMPTS) throw error;
      }
    }
  }

  private async appendAt(
    stream: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    try {
      const result = await this.client.appendToStream(
        stream,
        events.map((event) =>
          jsonEvent({ id: event.id, type: event.type, data: event.data, metadata: event.metadata ?? {} }),
        ),
        { expectedRevision: toEsdbExpectedRevision(expected) },
      );
      return { nextRevision: Number(result.nextExpectedRevision) };
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        throw new WrongExpectedVersion(stream, expected, fromEsdbCurrentRevision(error.actualVersion));
      }
      throw error;
    }
  }

  /**
   * The stream's `$tb` (truncate before) metadata: the server hides the
   * events before it at once and removes them at its next scavenge (until
   * then they still show in `$all`: the relay and the audits skip bookkeeping
   * streams). The other metadata is kept; `$tb` is never lowered (that would
   * bring back what is not scavenged yet). Written at the metadata's expected
   * revision: a writer that overtakes this one leaves its own `$tb`, and the
   * next call truncates further. Untested here: no server can be had.
   */
  async truncateBefore(stream: string, revision: number): Promise<void> {
    assertValidTruncateRevision(revision);
    const [last] = await this.read(stream, { direction: 'backwards', maxCount: 1 });
    if (!last) return;
    const before = Math.min(revision, last.revision);
    const { metadata, metastreamRevision } = await this.client.getStreamMetadata(stream);
    const current = metadata?.truncateBefore;
    if (typeof current === 'number' && current >= before) return;
    try {
      await this.client.setStreamMetadata(
        stream,
        { ...metadata, truncateBefore: before },
        { expectedRevision: metastreamRevision ?? NO_STREAM },
      );
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
    }
  }

  /** `$all` forwards from the position (exclusive), user events only, filtered by stream prefix on this side. */
  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    const prefixes = streamPrefixesOf(options);
    const after = options.fromPosition;
    for await (const resolved of this.client.readAll({
      fromPosition: after === undefined ? START : unpackPosition(after),
      direction: FORWARDS,
    })) {
      const event = resolved.event;
      if (!event || event.type.startsWith('$') || event.streamId.startsWith('$')) continue;
      if (prefixes && !prefixes.some((prefix) => event.streamId.startsWith(prefix))) continue;
      const recorded = recordedEventOf(resolved);
      if (!recorded || (after !== undefined && recorded.position <= after)) continue;
      yield recorded;
    }
  }

  async read(stream: string, options: ReadOptions = {}): Promise<RecordedEvent[]> {
    if (options.maxCount === 0) return [];
    const backwards = options.direction === 'backwards';
    const events: RecordedEvent[] = [];
    try {
      const reading = this.client.readStream(stream, {
        direction: backwards ? BACKWARDS : FORWARDS,
        fromRevision: options.fromRevision === undefined ? (backwards ? END : START) : BigInt(options.fromRevision),
        ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
      });
      for await (const resolved of reading) {
        const event = recordedEventOf(resolved);
        if (event) events.push(event);
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return events;
  }

  subscribeToAll(options: SubscribeOptions, handlers: SubscriptionHandlers): Subscription {
    const prefixes = streamPrefixesOf(options);
    const esdbSubscription = this.client.subscribeToAll({
      fromPosition: options.fromPosition === undefined ? START : unpackPosition(options.fromPosition),
      // Filtered by the server: a service on a shared cluster receives its own streams only.
      filter: prefixes ? streamNameFilter({ prefixes: [...prefixes] }) : excludeSystemEvents(),
    });
    let closed = false;
    const delivering = (async () => {
      try {
        for await (const resolved of esdbSubscription) {
          if (closed) break;
          const event = recordedEventOf(resolved);
          if (event) await handlers.onEvent(event);
        }
        if (!closed) reportSubscriptionError(handlers, new Error('EventStoreDB ended the subscription'));
      } catch (error) {
        if (!closed) reportSubscriptionError(handlers, error);
      } finally {
        closed = true;
        await esdbSubscription.unsubscribe().catch(() => undefined);
      }
    })();
    const subscription: Subscription = {
      close: async () => {
        closed = true;
        await esdbSubscription.unsubscribe().catch(() => undefined);
        // Ends the iteration even if the cancelled call never signals its end.
        esdbSubscription.destroy();
        await delivering;
        this.subscriptions.delete(subscription);
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  /**
   * Reads `$all` forwards from `position` (reads take no server-side filter)
   * and counts the events of the filtered streams, looking at no more than
   * COUNT_SCAN_LIMIT events: on a cluster where other services write much more
   * than this one, the answer is then a lower bound.
   */
  async countEventsAfter(position: bigint | undefined, options: CountOptions): Promise<number> {
    assertValidCountLimit(options);
    const prefixes = streamPrefixesOf(options);
    const counts = (event: EsdbRecordedEvent): boolean =>
      prefixes ? prefixes.some((prefix) => event.streamId.startsWith(prefix)) : !event.type.startsWith('$');
    let after = position;
    let counted = 0;
    let scanned = 0;
    while (counted < options.limit && scanned < COUNT_SCAN_LIMIT) {
      let read = 0;
      // A read from a position includes the event there: skip it, it is not after.
      for await (const resolved of this.client.readAll({
        fromPosition: after === undefined ? START : unpackPosition(after),
        maxCount: COUNT_PAGE_SIZE,
      })) {
        read += 1;
        const event = resolved.event;
        const at = event?.position ? packPosition(event.position) : undefined;
        if (!event || at === undefined || (after !== undefined && at <= after)) continue;
        after = at;
        scanned += 1;
        if (counts(event)) counted += 1;
        if (counted >= options.limit) break;
      }
      if (read < COUNT_PAGE_SIZE) break;
    }
    return Math.min(counted, options.limit);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    await this.client.dispose();
  }
}

const PREPARE_BITS = 64n;
const PREPARE_MASK = (1n << PREPARE_BITS) - 1n;

/** The port's position of an event at this place in `$all`: both halves, ordered like `$all`. */
export function packPosition(position: EsdbPosition): bigint {
  if (position.commit < 0n || position.prepare < 0n || position.prepare > PREPARE_MASK) {
    throw new RangeError(`not an EventStoreDB position: ${position.commit}/${position.prepare}`);
  }
  return (position.commit << PREPARE_BITS) | position.prepare;
}

/**
 * The `$all` position a port position stands for. One below 2^64 (commit
 * position 0, which no user event has: the log starts with the server's own
 * records) is a bare commit position, as checkpoints held before positions
 * were packed: it resumes where it did then.
 */
export function unpackPosition(position: bigint): EsdbPosition {
  if (position < 0n) throw new RangeError(`not a position of this adapter: ${position}`);
  if (position <= PREPARE_MASK) return { commit: position, prepare: position };
  return { commit: position >> PREPARE_BITS, prepare: position & PREPARE_MASK };
}

export function toEsdbExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    default:
      return BigInt(expected);
  }
}

export function fromEsdbCurrentRevision(current: CurrentRevision): number | 'no_stream' {
  return current === NO_STREAM ? 'no_stream' : Number(current);
}

function recordedEventOf(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent | undefined {
  const event: EsdbRecordedEvent | undefined = resolved.event;
  if (!event) return undefined;
  return {
    id: event.id,
    stream: event.streamId,
    revision: Number(event.revision),
    // Servers before 22.6 leave the $all position out of stream reads.
    position: event.position ? packPosition(event.position) : -1n,
    type: event.type,
    data: asJsonObject(event.data),
    metadata: asJsonObject(event.metadata),
    recordedAt: event.created,
  };
}

function asJsonObject(value: unknown): Record<string, unknown> {
  if (value instanceof Uint8Array) {
    if (value.byteLength === 0) return {};
    return asJsonObject(JSON.parse(Buffer.from(value).toString('utf8')) as unknown);
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
