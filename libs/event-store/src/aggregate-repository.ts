import { randomUUID } from 'node:crypto';
import { eventStoreAppendDuration, secondsSince } from '#observability';
import { requestMetadata } from './request-metadata.js';
import { assertBeforeDeadline } from './deadline.js';
import { withConcurrencyRetry, type ConcurrencyRetryOptions } from './concurrency-retry.js';
import type { Decider } from './decider.js';
import type { DomainEvent, EventCodec } from './event-codec.js';
import { WrongExpectedVersion, type EventStore, type ExpectedRevision, type NewEvent } from './event-store.port.js';
import type { SnapshotStore } from './snapshots.js';

/** A domain event as stored, without the id the repository assigns. */
export type EncodedEvent = Omit<NewEvent, 'id'>;

export interface AggregateRepositoryOptions<Command, Event extends DomainEvent, State> {
  readonly decider: Decider<Command, Event, State>;
  /** Stored events of any schema version to domain events and back. */
  readonly codec: EventCodec<Event>;
  readonly snapshots?: SnapshotStore<State>;
  readonly retry?: ConcurrencyRetryOptions;
  /** A snapshot that cannot be saved never fails the command; default: a warning on the console. */
  onSnapshotError?(error: unknown, stream: string): void;
  /** How many streams' last states this repository keeps (`RecentStates`); default RECENT_STATES. */
  readonly recentStates?: number;
}

/** Streams whose last state a repository keeps by default: a few MB at most, the active users' aggregates. */
export const RECENT_STATES = 10_000;

export interface LoadedAggregate<State> {
  readonly state: State;
  /** Revision of the last event folded into `state`; -1 while the stream does not exist. */
  readonly revision: number;
}

export interface HandledCommand<Event, State> {
  /** What the decider decided; empty when the command changed nothing (and nothing was appended). */
  readonly events: Event[];
  readonly nextRevision: number;
  readonly state: State;
}

export interface HandleOptions {
  /** Added to every event's metadata, e.g. correlation and causation ids. */
  readonly metadata?: Record<string, unknown>;
}

/**
 * Per store, the last command in flight on each stream in this process. Commands
 * on one stream take turns here: run at once, they would load the same state
 * and all but one conflict (the more so as a store commits appends in groups,
 * so none sees another's event before its own append), retry, and at worst run
 * out of attempts. Across processes the expected revision still decides.
 */
const inFlightByStore = new WeakMap<EventStore, Map<string, Promise<unknown>>>();

/**
 * Load → decide → append at the loaded revision, retried as a whole on a
 * concurrency conflict. A load starts from the state this repository last
 * loaded or made of the stream, if it still has it (`RecentStates`), else from
 * the stream's snapshot, and reads only the events after it: one read instead
 * of two, and no replay of what it folded already. The store stays the truth —
 * events another process appended are in that read, and the append's expected
 * revision decides as before — so this is safe with any number of instances.
 * Only states folded from the stream's own events are kept, never one that
 * started from a snapshot: a snapshot is derived data, which `ops
 * rebuild-snapshots` may replace while the system runs, and a state kept from
 * a wrong one would outlive the repair. It relies on `evolve` making new
 * states and never changing one it was given (every decider here is written
 * so).
 */
export class AggregateRepository<Command, Event extends DomainEvent, State> {
  private readonly recent: RecentStates<State>;

  constructor(
    private readonly store: EventStore,
    private readonly options: AggregateRepositoryOptions<Command, Event, State>,
  ) {
    this.recent = new RecentStates(options.recentStates ?? RECENT_STATES);
  }

  async load(stream: string): Promise<LoadedAggregate<State>> {
    const { state, revision } = await this.loadTracked(stream);
    return { state, revision };
  }

  handle(stream: string, command: Command, handleOptions: HandleOptions = {}): Promise<HandledCommand<Event, State>> {
    const { decider } = this.options;
    return this.inTurn(stream, () =>
      withConcurrencyRetry(async () => {
        const loaded = await this.loadTracked(stream);
        const events = decider.decide(command, loaded.state);
        if (events.length === 0) return { events, nextRevision: loaded.revision, state: loaded.state };
        assertBeforeDeadline();

        const { nextRevision } = await this.timedAppend(
          stream,
          events.map((event) => this.toNewEvent(event, handleOptions.metadata)),
          loaded.revision < 0 ? 'no_stream' : loaded.revision,
        );
        const state = events.reduce((current, event) => decider.evolve(current, event), loaded.state);
        const saved = await this.snapshotIfDue(stream, state, nextRevision, loaded.snapshotRevision);
        this.recent.keep(stream, {
          state,
          revision: nextRevision,
          snapshotRevision: saved ? nextRevision : loaded.snapshotRevision,
          fromEvents: loaded.fromEvents,
        });
        return { events, nextRevision, state };
      }, this.options.retry),
    );
  }

  /** Runs `work` once the commands on `stream` before it in this process have settled. */
  private inTurn<T>(stream: string, work: () => Promise<T>): Promise<T> {
    let inFlight = inFlightByStore.get(this.store);
    if (!inFlight) {
      inFlight = new Map();
      inFlightByStore.set(this.store, inFlight);
    }
    const turn = (inFlight.get(stream) ?? Promise.resolve()).then(work, work);
    const settled = turn.catch(() => undefined);
    inFlight.set(stream, settled);
    void settled.then(() => {
      if (inFlight.get(stream) === settled) inFlight.delete(stream);
    });
    return turn;
  }

  /** The append, timed (`totp_mfa_event_store_append_duration_seconds`): every aggregate of every service appends here. */
  private async timedAppend(stream: string, events: NewEvent[], expected: ExpectedRevision) {
    const startedAt = performance.now();
    let outcome = 'error';
    try {
      const appended = await this.store.append(stream, events, expected);
      outcome = 'ok';
      return appended;
    } catch (error) {
      if (error instanceof WrongExpectedVersion) outcome = 'conflict';
      throw error;
    } finally {
      eventStoreAppendDuration.observe({ outcome }, secondsSince(startedAt));
    }
  }

  private async loadTracked(stream: string): Promise<TrackedState<State>> {
    const { decider, codec } = this.options;
    const start = this.recent.get(stream) ?? (await this.fromSnapshot(stream));
    let { state, revision } = start;
    for (const recorded of await this.store.read(stream, { fromRevision: revision + 1 })) {
      state = decider.evolve(state, codec.decode(recorded));
      revision = recorded.revision;
    }
    const loaded = { state, revision, snapshotRevision: start.snapshotRevision, fromEvents: start.fromEvents };
    // A stream that does not exist is not kept: a load of a mistyped or probed id must not push real ones out.
    if (revision >= 0) this.recent.keep(stream, loaded);
    return loaded;
  }

  private async fromSnapshot(stream: string): Promise<TrackedState<State>> {
    const snapshot = this.options.snapshots ? await this.options.snapshots.load(stream) : null;
    return snapshot
      ? { state: snapshot.state, revision: snapshot.revision, snapshotRevision: snapshot.revision, fromEvents: false }
      : { state: this.options.decider.initialState(), revision: -1, snapshotRevision: -1, fromEvents: true };
  }

  /** Saves a snapshot when one is due; whether it saved one. */
  private async snapshotIfDue(stream: string, state: State, revision: number, lastSnapshot: number): Promise<boolean> {
    const { snapshots } = this.options;
    if (!snapshots || revision - lastSnapshot < snapshots.every) return false;
    try {
      await snapshots.save(stream, state, revision);
      return true;
    } catch (error) {
      if (this.options.onSnapshotError) {
        this.options.onSnapshotError(error, stream);
      } else {
        console.warn(`snapshot of ${stream} not saved:`, error instanceof Error ? error.message : error);
      }
      return false;
    }
  }

  private toNewEvent(event: Event, metadata: Record<string, unknown> | undefined): NewEvent {
    const encoded = this.options.codec.encode(event);
    const request = requestMetadata();
    const merged =
      metadata || request || encoded.metadata ? { ...request, ...metadata, ...encoded.metadata } : undefined;
    return { id: randomUUID(), type: encoded.type, data: encoded.data, ...(merged ? { metadata: merged } : {}) };
  }
}

type TrackedState<State> = LoadedAggregate<State> & {
  /** Revision of the stream's newest snapshot as far as this process knows; -1 for none. */
  readonly snapshotRevision: number;
  /** Folded from the stream's events alone, not from a snapshot: only such a state is kept. */
  readonly fromEvents: boolean;
};

/**
 * The last state of each of the `capacity` streams used most recently (a Map
 * iterates in insertion order: the first key is the one used longest ago). A
 * state never goes back: one loaded at an older revision than what is kept
 * (a query that read before a command appended) leaves the newer one.
 */
class RecentStates<State> {
  private readonly states = new Map<string, TrackedState<State>>();

  constructor(private readonly capacity: number) {}

  get(stream: string): TrackedState<State> | undefined {
    const kept = this.states.get(stream);
    if (kept) {
      this.states.delete(stream);
      this.states.set(stream, kept);
    }
    return kept;
  }

  keep(stream: string, tracked: TrackedState<State>): void {
    if (this.capacity <= 0 || !tracked.fromEvents) return;
    const kept = this.states.get(stream);
    if (kept && kept.revision > tracked.revision) return;
    this.states.delete(stream);
    this.states.set(stream, tracked);
    if (this.states.size > this.capacity) this.states.delete(this.states.keys().next().value!);
  }
}
