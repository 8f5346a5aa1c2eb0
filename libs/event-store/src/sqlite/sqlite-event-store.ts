import { realpathSync } from 'node:fs';
import Database from 'better-sqlite3';
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

export interface SqliteEventStoreOptions {
  /** How often a live subscription looks for events appended by other processes. */
  readonly pollIntervalMs?: number;
  /** Events fetched per query while a subscription catches up. */
  readonly pageSize?: number;
  /** How long a writer waits for another process's write lock before failing. */
  readonly busyTimeoutMs?: number;
  /**
   * Opens an existing file without writing to it (no schema, no pragma that
   * writes; appends fail): what an audit reads, while the services run.
   */
  readonly readonly?: boolean;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    position    INTEGER PRIMARY KEY AUTOINCREMENT,
    stream      TEXT    NOT NULL,
    revision    INTEGER NOT NULL,
    event_id    TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    data        TEXT    NOT NULL,
    metadata    TEXT    NOT NULL,
    recorded_at INTEGER NOT NULL,
    UNIQUE (stream, revision),
    UNIQUE (stream, event_id)
  );
`;

interface EventRow {
  position: bigint;
  stream: string;
  revision: bigint;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  recorded_at: bigint;
}

/**
 * Wakes live subscriptions of every store instance in this process that opened
 * the same file; appends by other processes are found by polling.
 */
const appendListenersByFile = new Map<string, Set<() => void>>();

/** Bounds one group commit: the write lock is held, and the main thread busy, for one transaction. */
const MAX_WRITES_PER_COMMIT = 256;

/** An append (or a truncation) waiting for the next group commit. */
interface QueuedWrite {
  /** Runs inside the commit's transaction, in a savepoint of its own. */
  readonly write: () => void;
  /** Whether it stored events that live subscriptions must be woken for. */
  readonly wakesSubscriptions: boolean;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * The embedded event store: one SQLite file in WAL mode. Positions come from an
 * AUTOINCREMENT key assigned under SQLite's single write lock, so they commit in
 * order and a reader never sees a later position before an earlier one; that
 * makes `position > checkpoint` a gap-free catch-up query, also across processes.
 *
 * Writes are committed in groups. With synchronous=FULL every COMMIT waits for
 * an fsync on the main thread, so concurrent requests committing one by one
 * each pay for one; instead `append` queues the write, and one flush per turn
 * of the event loop runs everything queued (up to 256) in one IMMEDIATE
 * transaction, one fsync for all. The flush is a `setImmediate`: it runs after
 * all the I/O callbacks of the turn, so it groups the appends of requests that
 * arrived together (a microtask would group only those of one callback), and a
 * lone append waits for nothing else. Each write runs in its own
 * savepoint, one after the other in queue order, so a failing one (a wrong
 * expected revision, a partial repeat, any error) is rolled back and rejected
 * alone, and a later append to the same stream sees the earlier one's revision
 * and chain hash. A promise settles only once COMMIT has returned: an append
 * that resolved is durable; when BEGIN or COMMIT fails, the whole group rejects.
 */
export class SqliteEventStore implements EventStore, EventLogReader {
  private readonly db: Database.Database;
  private readonly fileKey: string;
  private readonly pollIntervalMs: number;
  private readonly pageSize: number;
  private readonly subscriptions = new Set<PollingSubscription>();
  /** Per number of stream prefixes: the statements of filtered reads of the global order. */
  private readonly filteredStatements = new Map<number, FilteredStatements>();
  private closed = false;
  private readonly queue: QueuedWrite[] = [];
  private commitScheduled = false;
  /** One queued write: nested in `inOneTransaction`, better-sqlite3 makes it a SAVEPOINT; alone, a transaction. */
  private readonly inTransactionOfItsOwn: Database.Transaction<(write: () => void) => void>;
  /** The group commit: one failure per write, undefined for the ones that succeeded. */
  private readonly inOneTransaction: Database.Transaction<(writes: readonly QueuedWrite[]) => (Error | undefined)[]>;

  private readonly statements: {
    currentRevision: Database.Statement<[string], { revision: number | null }>;
    chainHashAt: Database.Statement<[string, number], { hash: string | null }>;
    revisionOfEventId: Database.Statement<[string, string], { revision: number }>;
    eventIdsFrom: Database.Statement<[string, number, number], { event_id: string }>;
    insert: Database.Statement<[string, number, string, string, string, string, number]>;
    deleteBefore: Database.Statement<[string, number]>;
    readForwards: Database.Statement<[string, number, number], EventRow>;
    readBackwards: Database.Statement<[string, number, number], EventRow>;
    readAllAfter: Database.Statement<[bigint, number], EventRow>;
  };

  constructor(filename: string, options: SqliteEventStoreOptions = {}) {
    this.pollIntervalMs = options.pollIntervalMs ?? 50;
    this.pageSize = options.pageSize ?? 1000;
    this.db = options.readonly
      ? new Database(filename, { readonly: true, fileMustExist: true })
      : new Database(filename);
    this.db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    if (!options.readonly) {
      inWalMode(this.db, options.busyTimeoutMs ?? 5000);
      // An append that returned must survive a power cut, not only a crash.
      this.db.pragma('synchronous = FULL');
      this.db.exec(SCHEMA);
    }
    this.fileKey = filename === ':memory:' ? `:memory:${Math.random()}` : realpathSync(filename);

    this.statements = {
      currentRevision: this.db.prepare('SELECT MAX(revision) AS revision FROM events WHERE stream = ?'),
      chainHashAt: this.db.prepare(
        `SELECT json_extract(metadata, '$.${CHAIN_HASH_METADATA}') AS hash FROM events WHERE stream = ? AND revision = ?`,
      ),
      revisionOfEventId: this.db.prepare('SELECT revision FROM events WHERE stream = ? AND event_id = ?'),
      eventIdsFrom: this.db.prepare(
        'SELECT event_id FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?',
      ),
      insert: this.db.prepare(
        `INSERT INTO events (stream, revision, event_id, type, data, metadata, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      deleteBefore: this.db.prepare('DELETE FROM events WHERE stream = ? AND revision < ?'),
      readForwards: this.db
        .prepare<[string, number, number], EventRow>(
          'SELECT * FROM events WHERE stream = ? AND revision >= ? ORDER BY revision ASC LIMIT ?',
        )
        .safeIntegers(true),
      readBackwards: this.db
        .prepare<[string, number, number], EventRow>(
          'SELECT * FROM events WHERE stream = ? AND revision <= ? ORDER BY revision DESC LIMIT ?',
        )
        .safeIntegers(true),
      readAllAfter: this.db
        .prepare<[bigint, number], EventRow>('SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ?')
        .safeIntegers(true),
    };
    this.inTransactionOfItsOwn = this.db.transaction((write: () => void) => write());
    this.inOneTransaction = this.db.transaction((writes: readonly QueuedWrite[]) =>
      writes.map((queued): Error | undefined => {
        try {
          this.inTransactionOfItsOwn(queued.write);
          return undefined;
        } catch (error) {
          // Some errors (an I/O error, a full disk) roll back the whole transaction, not only the savepoint.
          if (!this.db.inTransaction) throw error;
          return asError(error);
        }
      }),
    );
  }

  append(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    try {
      this.assertOpen();
      assertValidExpectedRevision(expected);
      return this.enqueue(() => this.appendInTransaction(stream, events, expected), events.length > 0);
    } catch (error) {
      return Promise.reject(asError(error));
    }
  }

  read(stream: string, options: ReadOptions = {}): Promise<RecordedEvent[]> {
    try {
      this.assertOpen();
      const limit = options.maxCount ?? -1; // SQLite: a negative LIMIT means no limit
      if (limit === 0) return Promise.resolve([]);
      const rows =
        options.direction === 'backwards'
          ? this.statements.readBackwards.all(stream, options.fromRevision ?? Number.MAX_SAFE_INTEGER, limit)
          : this.statements.readForwards.all(stream, options.fromRevision ?? 0, limit);
      return Promise.resolve(rows.map(toRecordedEvent));
    } catch (error) {
      return Promise.reject(asError(error));
    }
  }

  /**
   * Queued with the appends, so it follows the ones called before it; and
   * committed under the write lock appends take (IMMEDIATE), so no append of
   * this stream, from any process, runs between finding the last revision and
   * the delete. Positions are AUTOINCREMENT: the deleted ones are never handed out again.
   */
  truncateBefore(stream: string, revision: number): Promise<void> {
    try {
      this.assertOpen();
      assertValidTruncateRevision(revision);
      return this.enqueue(() => {
        const last = this.statements.currentRevision.get(stream)?.revision ?? null;
        if (last !== null) this.statements.deleteBefore.run(stream, Math.min(revision, last));
      }, false);
    } catch (error) {
      return Promise.reject(asError(error));
    }
  }

  subscribeToAll(options: SubscribeOptions, handlers: SubscriptionHandlers): Subscription {
    this.assertOpen();
    const readPage = this.pageReader(options);
    const subscription = new PollingSubscription({
      fromPosition: options.fromPosition ?? 0n,
      handlers,
      pollIntervalMs: this.pollIntervalMs,
      readPage: (after) => readPage(after, this.pageSize),
      listen: (wake) => this.listenForAppends(wake),
      onClosed: () => this.subscriptions.delete(subscription),
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    this.assertOpen();
    const readPage = this.pageReader(options);
    let after = options.fromPosition ?? 0n;
    for (;;) {
      const page = readPage(after, this.pageSize);
      if (page.length === 0) return;
      yield* page;
      after = page[page.length - 1]!.position;
    }
  }

  countEventsAfter(position: bigint | undefined, options: CountOptions): Promise<number> {
    try {
      this.assertOpen();
      assertValidCountLimit(options);
      const prefixes = streamPrefixesOf(options) ?? [];
      const row = this.filtered(prefixes.length).countAfter.get(filteredQuery(position ?? 0n, prefixes, options.limit));
      return Promise.resolve(Number(row?.count ?? 0));
    } catch (error) {
      return Promise.reject(asError(error));
    }
  }

  /** Commits what was queued before it; appends after it are refused. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.queue.length > 0) this.commitQueued();
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    this.db.close();
  }

  private pageReader(filter: SubscribeOptions): (after: bigint, limit: number) => RecordedEvent[] {
    const prefixes = streamPrefixesOf(filter);
    return prefixes
      ? (after, limit) =>
          this.filtered(prefixes.length)
            .readAllAfter.all(filteredQuery(after, prefixes, limit))
            .map(toRecordedEvent)
      : (after, limit) => this.statements.readAllAfter.all(after, limit).map(toRecordedEvent);
  }

  private enqueue<T>(write: () => T, wakesSubscriptions: boolean): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let result: T;
      this.queue.push({
        write: () => void (result = write()),
        wakesSubscriptions,
        resolve: () => resolve(result),
        reject,
      });
      this.scheduleCommit();
    });
  }

  private scheduleCommit(): void {
    if (this.commitScheduled) return;
    this.commitScheduled = true;
    setImmediate(() => {
      this.commitScheduled = false;
      this.commitQueued();
      if (this.queue.length > 0) this.scheduleCommit();
    });
  }

  /** One group commit of the oldest queued writes; settles their promises once COMMIT has returned. */
  private commitQueued(): void {
    const writes = this.queue.splice(0, MAX_WRITES_PER_COMMIT);
    const [first] = writes;
    if (!first) return;
    let failures: (Error | undefined)[];
    try {
      if (writes.length === 1) {
        // Alone, a write needs no savepoint (7% of its CPU): a failure rolls back only it anyway.
        this.inTransactionOfItsOwn.immediate(first.write);
        failures = [undefined];
      } else {
        failures = this.inOneTransaction.immediate(writes);
      }
    } catch (error) {
      for (const queued of writes) queued.reject(asError(error));
      return;
    }
    writes.forEach((queued, i) => {
      const failure = failures[i];
      if (failure) queued.reject(failure);
      else queued.resolve();
    });
    if (writes.some((queued, i) => queued.wakesSubscriptions && !failures[i])) this.notifyAppend();
  }

  /**
   * Inside the group commit's IMMEDIATE transaction, which took SQLite's write
   * lock on the file before anything is read, so no other connection, in this
   * process or another one sharing the file, can append between the check and
   * the insert. The previous event's chain hash is read inside the same lock,
   * so it is the hash of the event the new ones follow, whatever `expected` is
   * ('any' included).
   */
  private appendInTransaction(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): AppendResult {
    const repeated = this.findRepeatedAppend(stream, events);
    if (repeated !== undefined) return { nextRevision: repeated };
    const current = this.statements.currentRevision.get(stream)?.revision ?? -1;
    const mismatch = checkExpectedRevision(expected, current);
    if (mismatch) throw new WrongExpectedVersion(stream, expected, mismatch.actual);

    const previousHash =
      current < 0 ? undefined : (this.statements.chainHashAt.get(stream, current)?.hash ?? undefined);
    const rows = withChainHashes(stream, current + 1, previousHash, events).map((event) => ({
      id: event.id,
      type: event.type,
      data: JSON.stringify(event.data),
      metadata: JSON.stringify(event.metadata),
    }));
    const recordedAt = Date.now();
    let revision = current;
    for (const row of rows) {
      revision += 1;
      try {
        this.statements.insert.run(stream, revision, row.id, row.type, row.data, row.metadata, recordedAt);
      } catch (error) {
        if (isUniqueViolation(error)) throw this.partialRepeat(stream, row.id);
        throw error;
      }
    }
    return { nextRevision: revision };
  }

  /**
   * The revision of the last event when exactly these ids, in this order, are
   * already stored in the stream (a retried append), whatever revision is now
   * expected; undefined when the first id is new. Any other overlap is an error:
   * the writer reused ids.
   */
  private findRepeatedAppend(stream: string, events: readonly NewEvent[]): number | undefined {
    const first = events[0];
    if (first === undefined) return undefined;
    const start = this.statements.revisionOfEventId.get(stream, first.id)?.revision;
    // Any later id that is already stored fails the insert on UNIQUE (stream, event_id).
    if (start === undefined) return undefined;
    const storedIds = this.statements.eventIdsFrom.all(stream, start, events.length).map((row) => row.event_id);
    const sameBatch = storedIds.length === events.length && events.every((event, i) => storedIds[i] === event.id);
    if (!sameBatch) throw this.partialRepeat(stream, first.id);
    return start + events.length - 1;
  }

  private partialRepeat(stream: string, eventId: string): Error {
    return new Error(
      `stream ${stream}: event ${eventId} is already stored, but not as part of the same batch in the same order`,
    );
  }

  /**
   * A stream matches a prefix when its first `length(prefix)` characters are
   * the prefix: exact, unlike LIKE and GLOB, whose wildcards a prefix could hold.
   * No prefixes: every stream.
   */
  private filtered(prefixCount: number): FilteredStatements {
    let statements = this.filteredStatements.get(prefixCount);
    if (!statements) {
      // Named parameters: each prefix is used twice.
      const matches =
        prefixCount === 0
          ? '1'
          : Array.from({ length: prefixCount }, (_, i) => `substr(stream, 1, length(@p${i})) = @p${i}`).join(' OR ');
      const where = `position > @after AND (${matches})`;
      statements = {
        readAllAfter: this.db
          .prepare<[FilteredQuery], EventRow>(`SELECT * FROM events WHERE ${where} ORDER BY position LIMIT @limit`)
          .safeIntegers(true),
        countAfter: this.db
          .prepare<[FilteredQuery], { count: bigint }>(
            `SELECT COUNT(*) AS count FROM (SELECT 1 FROM events WHERE ${where} LIMIT @limit)`,
          )
          .safeIntegers(true),
      };
      this.filteredStatements.set(prefixCount, statements);
    }
    return statements;
  }

  private listenForAppends(listener: () => void): () => void {
    let listeners = appendListenersByFile.get(this.fileKey);
    if (!listeners) {
      listeners = new Set();
      appendListenersByFile.set(this.fileKey, listeners);
    }
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) appendListenersByFile.delete(this.fileKey);
    };
  }

  private notifyAppend(): void {
    for (const listener of appendListenersByFile.get(this.fileKey) ?? []) listener();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the event store is closed');
  }
}

/** `after`, `limit`, and the prefixes as `p0`, `p1`, ... */
type FilteredQuery = Record<string, bigint | number | string>;

function filteredQuery(after: bigint, prefixes: readonly string[], limit: number): FilteredQuery {
  const query: FilteredQuery = { after, limit };
  prefixes.forEach((prefix, i) => (query[`p${i}`] = prefix));
  return query;
}

interface FilteredStatements {
  readonly readAllAfter: Database.Statement<[FilteredQuery], EventRow>;
  readonly countAfter: Database.Statement<[FilteredQuery], { count: bigint }>;
}

/**
 * Two processes opening a new file at once (two instances of a service
 * starting together) race to turn it to WAL, and SQLite answers the loser
 * SQLITE_BUSY at once, without its busy handler: it tries again, 20 ms apart,
 * for as long as a writer would wait.
 */
function inWalMode(db: Database.Database, timeoutMs: number): void {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      const busy = error instanceof Database.SqliteError && error.code.startsWith('SQLITE_BUSY');
      if (!busy || Date.now() >= deadline) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** Inside the write lock only the (stream, event_id) key can clash: revisions follow the current one. */
function isUniqueViolation(error: unknown): boolean {
  return error instanceof Database.SqliteError && error.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    stream: row.stream,
    revision: Number(row.revision),
    position: row.position,
    type: row.type,
    data: JSON.parse(row.data) as Record<string, unknown>,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    recordedAt: new Date(Number(row.recorded_at)),
  };
}
