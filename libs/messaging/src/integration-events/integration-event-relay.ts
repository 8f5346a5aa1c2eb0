import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IntegrationEvent, IntegrationTopic, RelayHealth, RelayState } from '#contracts';
import type { EventStore, RecordedEvent, Subscription } from '#event-store';
import { relayPublished, trackRelayLag } from '#observability';
import { backoffDelay, CancellableSleep, type Backoff } from '../backoff.js';
import type { IntegrationEventPublisher } from './integration-event-publisher.js';
import { SoleInstanceLease, type RelayLease } from './relay-lease.js';
import { RelayReplays } from './relay-replay.js';

export interface RelayOptions {
  /** Names the checkpoint stream `relay_checkpoint-<name>`. */
  readonly name: string;
  readonly topic: IntegrationTopic;
  /** The public form of a stored event, without secrets; null for events that are not published. */
  readonly toIntegrationEvent: (event: RecordedEvent) => IntegrationEvent | null;
  /**
   * The service's own streams (`['mfa-']`), filtered by the store: on a
   * shared EventStoreDB the relay never reads another service's events.
   * Omitted: every stream of the store.
   */
  readonly streamPrefixes?: readonly string[];
  /** How often the checkpoint is saved while events flow. */
  readonly checkpointIntervalMs?: number;
  /** Between resubscriptions while publishing fails. */
  readonly backoff?: Backoff;
  /**
   * While retrying: how long a resubscribed relay must go without an error,
   * with nothing left to publish, to count as running again (a publish that
   * succeeds counts at once).
   */
  readonly settleMs?: number;
  /** Which instance publishes; default: this one (a single process). */
  readonly lease?: RelayLease;
}

/** Lag is counted up to this many events: a relay this far behind reports this number. */
export const RELAY_LAG_LIMIT = 10_000;
const RELAY_BACKOFF: Backoff = { initialMs: 500, maxMs: 15_000 };
const CHECKPOINT_TYPE = 'RelayCheckpointed';
const CHECKPOINT_CATEGORY = 'relay_checkpoint-';
/**
 * At most this many checkpoints stay in the stream: every this-many-th save
 * truncates before itself (one delete per that many saves, not one per
 * save). The relay reads only the last one; the few before it show an
 * operator how it moved.
 */
export const RELAY_CHECKPOINTS_KEPT = 10;

/** Where a relay keeps its checkpoints: `relay_checkpoint-<name>`. */
export function relayCheckpointStreamOf(name: string): string {
  return `${CHECKPOINT_CATEGORY}${name}`;
}

/** A relay's checkpoint stream: bookkeeping, truncated as it grows (`ops verify` accepts that). */
export function isRelayCheckpointStream(stream: string): boolean {
  return stream.startsWith(CHECKPOINT_CATEGORY);
}

/**
 * Publishes a service's events to Kafka from its event store: a catch-up
 * subscription to $all (the service's streams only), checkpointed in the
 * store itself. At-least-once: after a crash, events since the last checkpoint
 * are published again and consumers dedupe by `eventId`. Never a second write
 * beside the append.
 *
 * It never gives up. When a publish fails (the broker is away) or the store
 * ends the subscription, the relay is `retrying`: it resubscribes from the
 * last event it handled, with capped exponential backoff, for as long as it
 * takes, so every event reaches the topic once the broker is back, in order
 * per stream. A failure is logged once when the relay starts retrying and
 * once when it runs again, with its lag, not on every attempt.
 *
 * Its lag is the number of events of its streams in the store after the last
 * one it handled (published, or passed over as not public), up to
 * RELAY_LAG_LIMIT; 0 when it has caught up. Both appear in the service's
 * health answer (`health()`).
 */
export class IntegrationEventRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IntegrationEventRelay.name);
  private readonly sleep = new CancellableSleep();
  private readonly backoff: Backoff;
  private readonly settleMs: number;
  private subscription?: Subscription;
  private endSubscription?: (error: unknown) => void;
  private running?: Promise<void>;
  private checkpointTimer?: NodeJS.Timeout;
  private settleTimer?: NodeJS.Timeout;
  private stopped = false;
  /** The last event handled: where a resubscription resumes, and what the lag is counted from. */
  private position?: bigint;
  /** The last event handled that is not a checkpoint (saving one is itself an event). */
  private checkpoint?: bigint;
  private saved?: bigint;
  private publishing = false;
  private state: RelayState = 'running';
  private since = new Date();
  private lastError?: string;
  /** Failed subscriptions since the relay last ran. */
  private failures = 0;
  private readonly lease: RelayLease;
  /** Holds the lease: publishes. Otherwise it stands by while another instance does. */
  private leading = false;
  /** Lease changes, one after the other. */
  private transition: Promise<void> = Promise.resolve();
  private untrackLag?: () => void;
  /** `ops relay replay`: ranges to publish again, run by the instance holding the lease. */
  private readonly replays: RelayReplays;

  constructor(
    private readonly store: EventStore,
    private readonly publisher: IntegrationEventPublisher,
    private readonly options: RelayOptions,
  ) {
    this.backoff = options.backoff ?? RELAY_BACKOFF;
    this.settleMs = options.settleMs ?? 5_000;
    this.lease = options.lease ?? new SoleInstanceLease();
    this.replays = new RelayReplays(store, {
      ...options,
      publish: (event) => this.publisher.publish(options.topic, [event]),
    });
  }

  private get checkpointStream(): string {
    return relayCheckpointStreamOf(this.options.name);
  }

  onApplicationBootstrap(): Promise<void> {
    return this.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  async start(): Promise<void> {
    // `totp_mfa_relay_lag_events`, read at each scrape of /metrics.
    this.untrackLag = trackRelayLag(this.options.name, () => this.lag());
    this.state = 'standby';
    this.since = new Date();
    this.checkpointTimer = setInterval(() => {
      void this.saveCheckpoint();
      if (this.leading) void this.replays.poll();
    }, this.options.checkpointIntervalMs ?? 1000);
    this.checkpointTimer.unref();
    await this.lease.start((leading) => {
      this.transition = this.transition.then(() => (leading ? this.lead() : this.standBy()));
    });
    await this.transition;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.untrackLag?.();
    clearInterval(this.checkpointTimer);
    await this.lease.stop();
    await this.transition;
    await this.standBy();
    await this.publisher.close();
  }

  /** Holding the lease: resumes from the checkpoint the last publisher saved, whichever instance that was. */
  private async lead(): Promise<void> {
    if (this.leading || this.stopped) return;
    this.position = this.checkpoint = this.saved = await this.lastCheckpoint();
    this.leading = true;
    this.failures = 0;
    this.enter('running');
    this.running = this.run();
  }

  private async lastCheckpoint(): Promise<bigint | undefined> {
    const [last] = await this.store.read(this.checkpointStream, { direction: 'backwards', maxCount: 1 });
    return last ? BigInt(String(last.data.position)) : undefined;
  }

  /** Another instance publishes (or this one stops): ends the subscription and saves where it got to. */
  private async standBy(): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    clearInterval(this.settleTimer);
    this.sleep.cancel();
    this.endSubscription?.(undefined);
    await this.subscription?.close();
    await this.running;
    await this.replays.stop();
    await this.saveCheckpoint(true);
    this.enter('standby');
  }

  /** State and since when, the last error (if any), failed attempts while retrying, and the lag. */
  async health(): Promise<RelayHealth> {
    return {
      state: this.state,
      since: this.since.toISOString(),
      lag: await this.lag(),
      ...(this.state === 'retrying' ? { failures: this.failures } : {}),
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  /** Subscribes, and after every failure resubscribes from the last event handled, until it stands by. */
  private async run(): Promise<void> {
    while (this.leading) {
      const error = await this.subscribeUntilFailure();
      await this.subscription?.close();
      this.subscription = undefined;
      if (!this.leading) return;
      await this.failed(error);
      await this.sleep.for(backoffDelay(this.backoff, this.failures));
    }
  }

  /** Resolves with the error that ended the subscription (undefined: stopped). */
  private subscribeUntilFailure(): Promise<unknown> {
    return new Promise<unknown>((resolve) => {
      this.endSubscription = resolve;
      try {
        this.subscription = this.store.subscribeToAll(
          {
            ...(this.position === undefined ? {} : { fromPosition: this.position }),
            ...(this.options.streamPrefixes ? { streamPrefixes: this.options.streamPrefixes } : {}),
          },
          { onEvent: (event) => this.handle(event), onError: resolve },
        );
      } catch (error) {
        resolve(error);
      }
    });
  }

  private async handle(event: RecordedEvent): Promise<void> {
    let published = false;
    if (event.stream !== this.checkpointStream) {
      const integrationEvent = this.options.toIntegrationEvent(event);
      if (integrationEvent) {
        this.publishing = true;
        try {
          await this.publisher.publish(this.options.topic, [integrationEvent]);
          published = true;
          relayPublished.inc({ relay: this.options.name });
        } finally {
          this.publishing = false;
        }
      }
      this.checkpoint = event.position;
    }
    this.position = event.position;
    if (published && this.state === 'retrying') await this.runningAgain();
  }

  private async failed(error: unknown): Promise<void> {
    this.failures += 1;
    this.lastError = (error instanceof Error ? error.message : String(error)).slice(0, 300);
    if (this.state === 'retrying') return;
    this.enter('retrying');
    this.logger.error(
      `relay ${this.options.name}: cannot publish to ${this.options.topic} (${this.lastError}); ` +
        `resubscribing from the last event handled, with backoff, until it can (lag: ${await this.lagForLog()})`,
    );
    // Nothing left to publish after a resubscription (the store failed, not the broker): running again once it settles.
    this.settleTimer = setInterval(() => void this.settle(), this.settleMs);
    this.settleTimer.unref();
  }

  private async settle(): Promise<void> {
    if (this.state !== 'retrying' || !this.subscription || this.publishing) return;
    const failures = this.failures;
    if ((await this.lag()) === 0 && this.failures === failures && this.subscription) await this.runningAgain();
  }

  private async runningAgain(): Promise<void> {
    if (this.state === 'running') return;
    const retryingFor = ((Date.now() - this.since.getTime()) / 1000).toFixed(1);
    const failures = this.failures;
    clearInterval(this.settleTimer);
    this.enter('running');
    this.failures = 0;
    this.logger.log(
      `relay ${this.options.name}: publishing to ${this.options.topic} again after ${retryingFor} s ` +
        `and ${failures} failed attempt(s) (lag: ${await this.lagForLog()})`,
    );
  }

  private enter(state: RelayState): void {
    this.state = state;
    this.since = new Date();
  }

  /** Standing by: the publisher's lag, from the checkpoint it saved last. */
  private async lag(): Promise<number> {
    const from = this.leading ? this.position : await this.lastCheckpoint();
    return this.store.countEventsAfter(from, {
      limit: RELAY_LAG_LIMIT,
      ...(this.options.streamPrefixes ? { streamPrefixes: this.options.streamPrefixes } : {}),
    });
  }

  private async lagForLog(): Promise<string> {
    try {
      const lag = await this.lag();
      return `${lag === RELAY_LAG_LIMIT ? 'at least ' : ''}${lag} event(s)`;
    } catch {
      return 'unknown';
    }
  }

  private async saveCheckpoint(handingOver = false): Promise<void> {
    // Standing by, another instance saves: this one's position would take the checkpoint back.
    if (!this.leading && !handingOver) return;
    const position = this.checkpoint;
    if (position === undefined || position === this.saved) return;
    let revision: number;
    try {
      ({ nextRevision: revision } = await this.store.append(
        this.checkpointStream,
        [{ id: randomUUID(), type: CHECKPOINT_TYPE, data: { position: position.toString() } }],
        'any',
      ));
      this.saved = position;
    } catch (error) {
      this.logger.warn(`relay ${this.options.name}: checkpoint not saved (${String(error)}); will retry`);
      return;
    }
    await this.keepLastCheckpoints(revision);
  }

  /** Saved on a timer, never in a command's way. One that fails is done by the next one, that many saves later. */
  private async keepLastCheckpoints(revision: number): Promise<void> {
    if ((revision + 1) % RELAY_CHECKPOINTS_KEPT !== 0) return;
    try {
      await this.store.truncateBefore(this.checkpointStream, revision);
    } catch (error) {
      this.logger.warn(`relay ${this.options.name}: old checkpoints not removed (${String(error)}); will retry`);
    }
  }
}
