import { StreamChainVerifier, isSnapshotStream, type RecordedEvent } from '#event-store';
import { isRelayCheckpointStream } from '#messaging';
import { AUDITED_AGGREGATES, aggregateOf, type AuditedAggregate } from '../audited-services.js';

/** One thing wrong, where it is. */
export interface Finding {
  readonly source: string;
  readonly stream: string;
  /** The event's revision; null for a finding about a whole stream or file. */
  readonly revision: number | null;
  readonly check: 'revision' | 'chain' | 'replay' | 'invariant' | 'export' | 'topic';
  readonly message: string;
}

export interface StoreAuditSummary {
  readonly events: number;
  readonly streams: number;
  /** Streams whose every event is chained (a truncated one: every event it keeps). */
  readonly chainedFromStart: number;
  /** Streams whose chain starts after revision 0 (written before chains existed): where. */
  readonly chainStartsLater: ReadonlyArray<{ readonly stream: string; readonly chainStartsAt: number }>;
  /** Streams with no chained event at all (written before chains existed). */
  readonly unchainedStreams: number;
  /** Events before their stream's chain starts. */
  readonly eventsBeforeChain: number;
  /** Events decoded and folded through their aggregate's decider. */
  readonly replayedEvents: number;
  /** Streams of no aggregate (snapshots, relay checkpoints): revisions and chain checked only. */
  readonly otherStreams: number;
  /** Bookkeeping streams (snapshots, relay checkpoints) kept from a later revision: truncated, as they are meant to be. */
  readonly truncatedStreams: number;
  readonly findings: readonly Finding[];
}

interface StreamAudit {
  nextRevision: number;
  /** The revision a truncated bookkeeping stream starts at; null: from revision 0. */
  keptFrom: number | null;
  readonly chain: StreamChainVerifier;
  readonly aggregate: AuditedAggregate | undefined;
  state: unknown;
  /** Set once an event could not be replayed: the states after it would mean nothing. */
  replayStopped: boolean;
  eventsBeforeChain: number;
  /** The last event of the stream without a chain hash, written before the chain started (or so it seems). */
  lastUnchained: RecordedEvent | undefined;
}

/**
 * Snapshots and relay checkpoints: only their latest event is ever read, and
 * they are truncated as they grow (`EventStore.truncateBefore`), so they may
 * start at any revision. Every other stream must start at 0.
 */
export function isBookkeepingStream(stream: string): boolean {
  return isSnapshotStream(stream) || isRelayCheckpointStream(stream);
}

/**
 * `verify` of one store, fed its events in global order (each stream's in
 * revision order): revisions gap-free from 0 (from the first kept event for
 * a truncated bookkeeping stream, whose stored hash then anchors its chain:
 * the hash before it is gone), the hash chain intact, every
 * aggregate event decoded by its service's codec and folded by its decider's
 * `evolve`, and the aggregate's invariants (mfa-invariants.ts) held on the
 * state before each event. Keeps one small record per stream, not the events.
 */
export class StoreAudit {
  private readonly streams = new Map<string, StreamAudit>();
  private readonly findings: Finding[] = [];
  private events = 0;
  private replayedEvents = 0;
  /** When the store recorded its first chained event. */
  private firstChained: Date | undefined;

  constructor(
    private readonly source: string,
    private readonly aggregates: readonly AuditedAggregate[] = AUDITED_AGGREGATES,
  ) {}

  add(event: RecordedEvent): void {
    this.events += 1;
    const stream = this.streamOf(event.stream);
    const truncated = stream.nextRevision === 0 && event.revision > 0;
    if (truncated && isBookkeepingStream(event.stream)) {
      stream.keptFrom = event.revision;
    } else if (truncated) {
      this.report(
        event,
        'revision',
        `the stream starts at revision ${event.revision}, not 0: its first events are gone ` +
          `(only snapshots and relay checkpoints may be truncated)`,
      );
    } else if (event.revision !== stream.nextRevision) {
      this.report(
        event,
        'revision',
        `revision ${event.revision} where ${stream.nextRevision} was due (a gap or a repeat)`,
      );
    }
    stream.nextRevision = event.revision + 1;

    const chainBreak = stream.keptFrom === event.revision ? stream.chain.anchor(event) : stream.chain.check(event);
    if (chainBreak) {
      this.report(event, 'chain', chainBreak.message);
    } else if (stream.chain.chainStartsAt === null) {
      // Checked, and its stream's chain has not started: an event written before chains existed,
      // unless it was recorded after the store chained its first event (see summary).
      stream.eventsBeforeChain += 1;
      stream.lastUnchained = event;
    } else if (this.firstChained === undefined || event.recordedAt < this.firstChained) {
      this.firstChained = event.recordedAt;
    }

    if (stream.aggregate && !stream.replayStopped) this.replay(stream, stream.aggregate, event);
  }

  summary(): StoreAuditSummary {
    let chainedFromStart = 0;
    let unchainedStreams = 0;
    let eventsBeforeChain = 0;
    let otherStreams = 0;
    let truncatedStreams = 0;
    const chainStartsLater: Array<{ stream: string; chainStartsAt: number }> = [];
    for (const [name, stream] of this.streams) {
      this.reportStrippedChain(stream.lastUnchained);
      const startsAt = stream.chain.chainStartsAt;
      if (startsAt === 0 || (startsAt !== null && startsAt === stream.keptFrom)) chainedFromStart += 1;
      else if (startsAt === null) unchainedStreams += 1;
      else chainStartsLater.push({ stream: name, chainStartsAt: startsAt });
      eventsBeforeChain += stream.eventsBeforeChain;
      if (!stream.aggregate) otherStreams += 1;
      if (stream.keptFrom !== null) truncatedStreams += 1;
    }
    return {
      events: this.events,
      streams: this.streams.size,
      chainedFromStart,
      chainStartsLater,
      unchainedStreams,
      eventsBeforeChain,
      replayedEvents: this.replayedEvents,
      otherStreams,
      truncatedStreams,
      findings: this.findings,
    };
  }

  /**
   * An event without a chain hash recorded after the store recorded its first
   * chained one cannot be from before chains existed: its hash was removed (a
   * stream whose every hash is stripped would otherwise pass for old history),
   * or a process of a version without the chain wrote it during an upgrade.
   * The recording time is not hashed: this catches a stripped hash, not a
   * forger who also moves the time back.
   */
  private reportStrippedChain(lastUnchained: RecordedEvent | undefined): void {
    if (!lastUnchained || this.firstChained === undefined || lastUnchained.recordedAt <= this.firstChained) return;
    this.report(
      lastUnchained,
      'chain',
      `carries no chain hash (nor do the events before it in its stream), yet was recorded at ` +
        `${lastUnchained.recordedAt.toISOString()}, after this store chained its first event ` +
        `(${this.firstChained.toISOString()}): its hash was removed, or a version without the chain wrote it`,
    );
  }

  private replay(stream: StreamAudit, aggregate: AuditedAggregate, event: RecordedEvent): void {
    try {
      const decoded = aggregate.codec.decode(event);
      for (const message of aggregate.invariantBreaks?.(stream.state, decoded) ?? []) {
        this.report(event, 'invariant', `${event.type}: ${message}`);
      }
      stream.state = aggregate.replay.evolve(stream.state, decoded);
      this.replayedEvents += 1;
    } catch (error) {
      stream.replayStopped = true;
      const reason = error instanceof Error ? error.message : 'unknown error';
      this.report(
        event,
        'replay',
        `${event.type} cannot be replayed by the ${aggregate.name} decider (${reason}); the rest of the stream is not replayed`,
      );
    }
  }

  private streamOf(name: string): StreamAudit {
    let stream = this.streams.get(name);
    if (!stream) {
      const aggregate = isSnapshotStream(name) ? undefined : aggregateOf(name, this.aggregates);
      stream = {
        nextRevision: 0,
        keptFrom: null,
        chain: new StreamChainVerifier(name),
        aggregate,
        state: aggregate?.replay.initialState(),
        replayStopped: false,
        eventsBeforeChain: 0,
        lastUnchained: undefined,
      };
      this.streams.set(name, stream);
    }
    return stream;
  }

  private report(event: RecordedEvent, check: Finding['check'], message: string): void {
    this.findings.push({ source: this.source, stream: event.stream, revision: event.revision, check, message });
  }
}
