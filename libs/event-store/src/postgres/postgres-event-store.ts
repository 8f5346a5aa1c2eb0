import pg from 'pg';
import {
  assertValidExpectedRevision,
  assertValidTruncateRevision,
  checkExpectedRevision,
} from '../expected-revision.js';
import { CHAIN_HASH_METADATA, withChainHashes } from '../hash-chain.js';
import { PollingSubscription } from '../polling-subscription.js';
import { assertValidCountLimit, streamPrefixesOf } from '../stream-filter.js';
import {
  WrongExpectedVersion,
  type AppendResult,
  type CountOptions,
  type EventLogReader,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type ReadOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionHandlers,
} from '../event-store.port.js';

export interface PostgresEventStoreOptions {
  /** The service's own schema (created when missing): services sharing a database never see each other's events. */
  readonly schema: string;
  /** How often a live subscription looks for events when no notification came (a safety net). */
  readonly pollIntervalMs?: number;
  /** Events fetched per query while a subscription catches up. */
  readonly pageSize?: number;
  /** Connections in the pool (appends hold one for their transaction). */
  readonly maxConnections?: number;
}

/**
 * The global position: the appending transaction's id (xid8) in the high 64
 * bits, the row's identity in the low 64. Compare, never subtract (as the port
 * says of every adapter's positions).
 */
export const packPosition = (transactionId: bigint, sequence: bigint): bigint => (transactionId << 64n) | sequence;
export const unpackPosition = (position: bigint): { transactionId: bigint; sequence: bigint } => ({
  transactionId: position >> 64n,
  sequence: position & 0xffff_ffff_ffff_ffffn,
});

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

interface EventRow {
  transaction_id: string;
  sequence: string;
  stream: string;
  revision: string;
  event_id: string;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  recorded_at: Date;
}

/**
 * The event store on PostgreSQL (`EVENTSTORE_URL=postgres://…`), one schema per
 * service, for services scaled out over several hosts.
 *
 * Gap-free global order under concurrent appends — the `bigserial` visibility
 * problem: identities are handed out when rows are inserted, but transactions
 * commit in another order, so a reader asking for `position > checkpoint` can
 * see 7 before 6 commits and skip 6 for ever. The remedy the established
 * Postgres event stores use, and used here: every row records the id of the
 * transaction that appended it (`pg_current_xact_id()`), the global order is
 * (transaction id, identity), and a reader only takes rows of transactions
 * older than the oldest one still running (`pg_snapshot_xmin` of the current
 * snapshot). Every transaction that can still commit has an id at or above
 * that watermark, so nothing can later appear before what a reader has
 * already read. The cost: one long-running append delays what subscribers
 * see (not what they get), never the appends themselves. Serialising all
 * appends behind one lock would be simpler and correct too, but makes every
 * append of every stream wait for the slowest.
 *
 * Expected revisions: `UNIQUE (stream, revision)`. An append reads the
 * stream's last revision, then inserts at the ones after it in one statement;
 * of two appends of one stream at once, the second INSERT waits for the first
 * to commit and clashes, reads again, and is checked against what the first
 * wrote. So the appends of one stream commit one after the other, each given
 * its transaction id after the one before committed: a stream's order and the
 * global order agree. No lock, no explicit transaction: two round trips.
 */
export class PostgresEventStore implements EventStore, EventLogReader {
  private readonly pool: pg.Pool;
  private readonly schema: string;
  private readonly table: string;
  private readonly channel: string;
  private readonly pollIntervalMs: number;
  private readonly pageSize: number;
  private readonly subscriptions = new Set<PollingSubscription>();
  private readonly wakers = new Set<() => void>();
  private listener: Promise<pg.PoolClient> | undefined;
  private readonly ready: Promise<void>;
  private closed = false;

  constructor(connectionString: string, options: PostgresEventStoreOptions) {
    if (!SCHEMA_NAME.test(options.schema)) {
      throw new Error(`${JSON.stringify(options.schema)} cannot name a PostgreSQL schema (a-z, 0-9, _)`);
    }
    this.schema = options.schema;
    this.table = `"${options.schema}".events`;
    this.channel = `${options.schema}_events`;
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.pageSize = options.pageSize ?? 1000;
    this.pool = new pg.Pool({ connectionString, max: options.maxConnections ?? 10 });
    // An idle client's error (the server restarted) must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
    this.ready = this.createSchema();
    this.ready.catch(() => undefined); // reported by every operation that awaits it
  }

  /**
   * Two round trips, each its own transaction: one read of where the stream
   * is, then one INSERT of every new event at the revisions that follow (with
   * its notification). Another append that got there first makes the INSERT
   * clash on `UNIQUE (stream, revision)`, waiting for that append's commit
   * first: then the expected revision is checked again on what it wrote.
   */
  async append(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    await this.open();
    assertValidExpectedRevision(expected);
    for (;;) {
      const appended = await this.appendAfterRead(stream, events, expected);
      if (appended !== 'raced') return appended;
    }
  }

  /**
   * One statement: the deleted rows' positions are never handed out again
   * (transaction ids and identities only grow), and the stream's last event,
   * as the statement sees it, is kept whatever is appended meanwhile.
   */
  async truncateBefore(stream: string, revision: number): Promise<void> {
    await this.open();
    assertValidTruncateRevision(revision);
    await this.pool.query(
      `DELETE FROM ${this.table}
       WHERE stream = $1 AND revision < LEAST($2::bigint, (SELECT MAX(revision) FROM ${this.table} WHERE stream = $1))`,
      [stream, revision],
    );
  }

  async read(stream: string, options: ReadOptions = {}): Promise<RecordedEvent[]> {
    await this.open();
    if (options.maxCount === 0) return [];
    const backwards = options.direction === 'backwards';
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${COLUMNS} FROM ${this.table}
       WHERE stream = $1 AND revision ${backwards ? '<=' : '>='} $2
       ORDER BY revision ${backwards ? 'DESC' : 'ASC'} LIMIT $3`,
      [stream, options.fromRevision ?? (backwards ? Number.MAX_SAFE_INTEGER : 0), options.maxCount ?? null],
    );
    return rows.map(toRecordedEvent);
  }

  subscribeToAll(options: SubscribeOptions, handlers: SubscriptionHandlers): Subscription {
    this.assertOpen();
    const prefixes = streamPrefixesOf(options) ?? [];
    const subscription = new PollingSubscription({
      fromPosition: options.fromPosition ?? 0n,
      handlers,
      pollIntervalMs: this.pollIntervalMs,
      readPage: (after) => this.readAllAfter(after, prefixes, this.pageSize),
      listen: (wake) => this.listen(wake),
      onClosed: () => this.subscriptions.delete(subscription),
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    const prefixes = streamPrefixesOf(options) ?? [];
    let after = options.fromPosition ?? 0n;
    for (;;) {
      const page = await this.readAllAfter(after, prefixes, this.pageSize);
      if (page.length === 0) return;
      yield* page;
      after = page[page.length - 1]!.position;
    }
  }

  async countEventsAfter(position: bigint | undefined, options: CountOptions): Promise<number> {
    await this.open();
    assertValidCountLimit(options);
    const prefixes = streamPrefixesOf(options) ?? [];
    const { transactionId, sequence } = unpackPosition(position ?? 0n);
    const { rows } = await this.pool.query<{ count: string }>(
      `SELECT COUNT(*) AS count FROM (
         SELECT 1 FROM ${this.table}
         WHERE (transaction_id, sequence) > ($1::text::xid8, $2::bigint) AND ${prefixCondition(prefixes, 4)}
         LIMIT $3) AS after`,
      [transactionId.toString(), sequence.toString(), options.limit, ...prefixes],
    );
    return Number(rows[0]?.count ?? 0);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    const listener = await this.listener?.catch(() => undefined);
    listener?.release(true);
    await this.pool.end();
  }

  /** 'raced': another append of the stream committed between the read and the INSERT; read again. */
  private async appendAfterRead(
    stream: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult | 'raced'> {
    // The stream's last revision and chain hash, and where the first new id already is (a retried append): one round trip.
    const { rows } = await this.pool.query<{
      revision: string | null;
      hash: string | null;
      repeated_at: string | null;
    }>(
      `SELECT last.revision, last.hash,
              (SELECT revision FROM ${this.table} WHERE stream = $1 AND event_id = $2) AS repeated_at
       FROM (SELECT NULL) AS nothing
       LEFT JOIN LATERAL (
         SELECT revision, metadata->>'${CHAIN_HASH_METADATA}' AS hash FROM ${this.table}
         WHERE stream = $1 ORDER BY revision DESC LIMIT 1
       ) AS last ON true`,
      [stream, events[0]?.id ?? null],
    );
    const found = rows[0];
    if (found?.repeated_at != null) {
      const repeated = await this.findRepeatedAppend(stream, events);
      if (repeated !== undefined) return { nextRevision: repeated };
    }
    const current = found?.revision == null ? -1 : Number(found.revision);
    const mismatch = checkExpectedRevision(expected, current);
    if (mismatch) throw new WrongExpectedVersion(stream, expected, mismatch.actual);
    if (events.length === 0) return { nextRevision: current };

    // Chained to the event read as the last: if another one is committed after it meanwhile, the INSERT clashes.
    const chained = withChainHashes(stream, current + 1, found?.hash ?? undefined, events);
    const recordedAt = new Date();
    const values = chained.flatMap((event, i) => [
      stream,
      current + 1 + i,
      event.id,
      event.type,
      JSON.stringify(event.data),
      JSON.stringify(event.metadata ?? {}),
      recordedAt,
    ]);
    const placeholders = events.map(
      (_, i) =>
        `($${i * 7 + 2}::text, $${i * 7 + 3}::bigint, $${i * 7 + 4}::text, $${i * 7 + 5}::text, ` +
        `$${i * 7 + 6}::json, $${i * 7 + 7}::json, $${i * 7 + 8}::timestamptz)`,
    );
    const guard = events.length * 7 + 2;
    try {
      // Inserted only while the event read is still the stream's last. A revision taken meanwhile clashes on
      // UNIQUE (stream, revision); the guard covers the other race: the next revisions appended and the one
      // after the event read truncated away already (truncateBefore), which would leave a hole to fill.
      // The notification is delivered on commit: it wakes the subscriptions of every process on this schema.
      const { rowCount } = await this.pool.query(
        `WITH inserted AS (
           INSERT INTO ${this.table} (stream, revision, event_id, type, data, metadata, recorded_at)
           SELECT * FROM (VALUES ${placeholders.join(', ')})
             AS new (stream, revision, event_id, type, data, metadata, recorded_at)
           WHERE COALESCE((SELECT MAX(revision) FROM ${this.table} WHERE stream = $${guard}), -1) = $${guard + 1}
           ORDER BY new.revision
           RETURNING 1
         )
         SELECT pg_notify($1, '') FROM (SELECT 1) AS once WHERE EXISTS (SELECT 1 FROM inserted)`,
        [this.channel, ...values, stream, current],
      );
      if (rowCount === 0) return 'raced';
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // A revision another append took: read again (a conflict now, or room after it for 'any').
      if (error.constraint === REVISION_KEY) return 'raced';
      // An id stored meanwhile: this very append, committed by a retry racing it, or ids reused.
      const repeated = await this.findRepeatedAppend(stream, events);
      if (repeated !== undefined) return { nextRevision: repeated };
      throw partialRepeat(stream, events[0]!.id);
    }
    return { nextRevision: current + events.length };
  }

  /**
   * The revision of the last event when exactly these ids, in this order, are
   * already stored in the stream (a retried append), whatever revision is now
   * expected; undefined when the first id is new. Any other overlap is an error.
   */
  private async findRepeatedAppend(stream: string, events: readonly NewEvent[]): Promise<number | undefined> {
    const first = events[0];
    if (first === undefined) return undefined;
    const { rows } = await this.pool.query<{ event_id: string; revision: string }>(
      `SELECT event_id, revision FROM ${this.table}
       WHERE stream = $1 AND revision >= (SELECT revision FROM ${this.table} WHERE stream = $1 AND event_id = $2)
       ORDER BY revision LIMIT $3`,
      [stream, first.id, events.length],
    );
    if (rows.length === 0) return undefined;
    const sameBatch = rows.length === events.length && events.every((event, i) => rows[i]!.event_id === event.id);
    if (!sameBatch) throw partialRepeat(stream, first.id);
    return Number(rows[0]!.revision) + events.length - 1;
  }

  /** Rows after `after` in the global order, of transactions no running transaction can precede. */
  private async readAllAfter(after: bigint, prefixes: readonly string[], limit: number): Promise<RecordedEvent[]> {
    await this.open();
    const { transactionId, sequence } = unpackPosition(after);
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${COLUMNS} FROM ${this.table}
       WHERE (transaction_id, sequence) > ($1::text::xid8, $2::bigint)
         AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
         AND ${prefixCondition(prefixes, 4)}
       ORDER BY transaction_id, sequence LIMIT $3`,
      [transactionId.toString(), sequence.toString(), limit, ...prefixes],
    );
    return rows.map(toRecordedEvent);
  }

  /** One LISTEN connection per store, shared by its subscriptions; answers how to stop listening. */
  private listen(wake: () => void): () => void {
    this.wakers.add(wake);
    this.listener ??= (async () => {
      const client = await this.pool.connect();
      client.on('notification', () => {
        for (const waker of this.wakers) waker();
      });
      // A lost connection ends notifications only: subscriptions keep polling.
      client.on('error', () => undefined);
      await client.query(`LISTEN "${this.channel}"`);
      return client;
    })();
    this.listener.catch(() => undefined); // polling covers a listener that could not start
    return () => this.wakers.delete(wake);
  }

  private async createSchema(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // Processes starting at once would race on the catalog: one creates, the others find it made.
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`${this.schema}/schema`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
      await client.query(`
        CREATE TABLE IF NOT EXISTS ${this.table} (
          transaction_id xid8        NOT NULL DEFAULT pg_current_xact_id(),
          sequence       bigint      GENERATED ALWAYS AS IDENTITY,
          stream         text        NOT NULL,
          revision       bigint      NOT NULL,
          event_id       text        NOT NULL,
          type           text        NOT NULL,
          data           json        NOT NULL,
          metadata       json        NOT NULL,
          recorded_at    timestamptz NOT NULL,
          PRIMARY KEY (transaction_id, sequence),
          UNIQUE (stream, revision),
          UNIQUE (stream, event_id)
        )`);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async open(): Promise<void> {
    this.assertOpen();
    await this.ready;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the event store is closed');
  }
}

const COLUMNS =
  'transaction_id::text AS transaction_id, sequence, stream, revision, event_id, type, data, metadata, recorded_at';

/** Exact prefix matches (LIKE would read `_` and `%` in a prefix as wildcards), from parameter `$first` on. */
function prefixCondition(prefixes: readonly string[], first: number): string {
  if (prefixes.length === 0) return 'TRUE';
  return `(${prefixes.map((_, i) => `left(stream, length($${first + i})) = $${first + i}`).join(' OR ')})`;
}

function partialRepeat(stream: string, eventId: string): Error {
  return new Error(
    `stream ${stream}: event ${eventId} is already stored, but not as part of the same batch in the same order`,
  );
}

/** PostgreSQL's name for the table's `UNIQUE (stream, revision)`. */
const REVISION_KEY = 'events_stream_revision_key';

function isUniqueViolation(error: unknown): error is pg.DatabaseError {
  return error instanceof pg.DatabaseError && error.code === '23505';
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    stream: row.stream,
    revision: Number(row.revision),
    position: packPosition(BigInt(row.transaction_id), BigInt(row.sequence)),
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at,
  };
}
