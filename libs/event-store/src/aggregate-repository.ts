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
}

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

/** Load → decide → append at the loaded revision, retried as a whole on a concurrency conflict. */
export class AggregateRepository<Command, Event extends DomainEvent, State> {
  constructor(
    private readonly store: EventStore,
    private readonly options: AggregateRepositoryOptions<Command, Event, State>,
  ) {}

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
        await this.snapshotIfDue(stream, state, nextRevision, loaded.snapshotRevision);
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

  private async loadTracked(stream: string): Promise<LoadedAggregate<State> & { snapshotRevision: number }> {
    const { decider, snapshots, codec } = this.options;
    const snapshot = snapshots ? await snapshots.load(stream) : null;
    let state = snapshot ? snapshot.state : decider.initialState();
    let revision = snapshot ? snapshot.revision : -1;
    for (const recorded of await this.store.read(stream, { fromRevision: revision + 1 })) {
      state = decider.evolve(state, codec.decode(recorded));
      revision = recorded.revision;
    }
    return { state, revision, snapshotRevision: snapshot ? snapshot.revision : -1 };
  }

  private async snapshotIfDue(stream: string, state: State, revision: number, lastSnapshot: number): Promise<void> {
    const { snapshots } = this.options;
    if (!snapshots || revision - lastSnapshot < snapshots.every) return;
    try {
      await snapshots.save(stream, state, revision);
    } catch (error) {
      if (this.options.onSnapshotError) {
        this.options.onSnapshotError(error, stream);
      } else {
        console.warn(`snapshot of ${stream} not saved:`, error instanceof Error ? error.message : error);
      }
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
