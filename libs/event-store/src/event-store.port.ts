/**
 * The one event-store port every service writes through. Adapters: embedded
 * (SQLite, `sqlite/`) and EventStoreDB (`eventstoredb/`); both pass the same
 * contract suite (`event-store.contract.ts`).
 */

/**
 * What a writer expects the stream to be at: the revision of its last event (an
 * integer >= 0), no stream at all, or anything (no check).
 */
export type ExpectedRevision = number | 'no_stream' | 'any';

export interface NewEvent {
  /** A UUID chosen by the writer; appending the same id to a stream again stores it once. */
  readonly id: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly metadata?: Record<string, unknown>;
}

export interface RecordedEvent {
  readonly id: string;
  readonly stream: string;
  /** 0-based position of the event inside its stream. */
  readonly revision: number;
  /**
   * Where the event sits in the store's one global order: unique, strictly
   * increasing in that order, and all a subscription needs to resume right
   * after it (a checkpoint). Compare positions; never subtract them, they are
   * not counts: an adapter may pack more than one number into one (EventStoreDB
   * packs its commit and prepare positions, see its adapter), which is why one
   * bigint suffices for every adapter.
   */
  readonly position: bigint;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly metadata: Record<string, unknown>;
  readonly recordedAt: Date;
}

export interface AppendResult {
  /**
   * Revision of the last appended event (-1 when nothing was appended to an empty
   * stream). An idempotent repeat returns the revision the original append returned.
   */
  readonly nextRevision: number;
}

export interface ReadOptions {
  readonly direction?: 'forwards' | 'backwards';
  /** Inclusive; defaults to the start (forwards) or the end (backwards). */
  readonly fromRevision?: number;
  readonly maxCount?: number;
}

/** Which streams a subscription or a count covers. */
export interface StreamFilter {
  /**
   * Only streams whose names start with one of these (`['mfa-']`): on a store
   * shared by several services, a service reads its own streams only, filtered
   * by the store itself. At least one, none empty; omitted: every stream.
   */
  readonly streamPrefixes?: readonly string[];
}

export interface SubscribeOptions extends StreamFilter {
  /** Exclusive: deliver events after this global position; omitted, from the very beginning. */
  readonly fromPosition?: bigint;
}

export interface CountOptions extends StreamFilter {
  /** Counting stops here: the answer is `limit` when at least that many events are there. */
  readonly limit: number;
}

export interface Subscription {
  /** Stops delivery; resolves once no handler call is running (so never await it inside `onEvent`). */
  close(): Promise<void>;
}

/**
 * `onEvent` is awaited before the next event is delivered. Any error (a handler's
 * or the store's) stops the subscription and reaches `onError`; delivery never
 * skips an event, so resubscribe from the last checkpoint you stored.
 */
export interface SubscriptionHandlers {
  onEvent(event: RecordedEvent): Promise<void> | void;
  onError?(error: unknown): void;
}

export interface EventStore {
  /**
   * Appends atomically if the stream is at `expected`, else throws
   * `WrongExpectedVersion` and writes nothing. Events whose ids the stream already
   * holds (same ids, same order) are not stored again. Every event stored gets
   * `chainHash` in its metadata, chaining it to the event before it in its
   * stream (hash-chain.ts); a `chainHash` the caller put there is replaced.
   */
  append(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult>;
  /** Events of one stream; an unknown stream reads as empty. */
  read(stream: string, options?: ReadOptions): Promise<RecordedEvent[]>;
  /**
   * Keeps only the tail of a bookkeeping stream (relay checkpoints,
   * snapshots: only their latest event is ever read): the events before
   * `revision` are gone, the rest keep their revisions, and appends go on
   * after the last one as before. The last event is always kept, so the
   * stream's revision stays known: a `revision` past it truncates before it.
   * Idempotent, and never brings events back (a lower `revision` than an
   * earlier call's does nothing). The kept events' chain hashes are as they
   * were: the first kept event's stored hash anchors the rest
   * (`StreamChainVerifier.anchor`). A retried append is recognised only
   * while its events are kept. Never for a domain stream: `ops verify`
   * refuses one that does not start at revision 0.
   */
  truncateBefore(stream: string, revision: number): Promise<void>;
  /** Catch-up from `fromPosition`, then live, in global order, each event (of the filtered streams) once. */
  subscribeToAll(options: SubscribeOptions, handlers: SubscriptionHandlers): Subscription;
  /**
   * How many events (of the filtered streams) come after `position` in the
   * global order (all of them when undefined), up to `limit`: how far a
   * subscriber that has handled `position` is behind the store's head.
   */
  countEventsAfter(position: bigint | undefined, options: CountOptions): Promise<number>;
  /** Closes the open subscriptions (waiting for their running handlers), then the connection. */
  close(): Promise<void>;
}

export interface ReadAllOptions extends StreamFilter {
  /** Exclusive, as for a subscription; omitted: from the very beginning. */
  readonly fromPosition?: bigint;
}

/**
 * A finite read of the global order, for audits (the ops CLI): every adapter
 * offers it beside the port. Not on `EventStore` itself, which services and
 * their test doubles implement; nothing in a service needs it.
 */
export interface EventLogReader {
  /** Every event (of the filtered streams) after `fromPosition`, in global order, until the end of the store. */
  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent>;
}

export const EVENT_STORE = Symbol('EVENT_STORE');

/** The stream was not at the expected revision; nothing was written. */
export class WrongExpectedVersion extends Error {
  override readonly name = 'WrongExpectedVersion';
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | 'no_stream',
  ) {
    super(`stream ${stream}: expected revision ${String(expected)}, actual ${String(actual)}`);
  }
}
