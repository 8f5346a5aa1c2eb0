import { Logger } from '@nestjs/common';
import type { Consumer, ConsumerCrashEvent } from 'kafkajs';
import { backoffDelay, CancellableSleep, type Backoff } from '../backoff.js';

/**
 * Waits between attempts to replace a crashed consumer: quick at first (a broker
 * restart takes seconds), at most 10 s apart so a consumer is back within about
 * 10 s of the broker, however long the outage was.
 */
export const CONSUMER_RESTART_BACKOFF: Backoff = { initialMs: 500, maxMs: 10_000 };

export interface ConsumerRecoveryOptions {
  /** Names the consumer in the logs: its group, `mfa` or `gateway-replies`. */
  readonly label: string;
  /**
   * A new consumer, replacing the crashed one as its owner's current consumer
   * (its event listeners registered). Not connected yet.
   */
  readonly create: () => Consumer;
  /** Connects, subscribes and runs it, as the first consumer was, and `watch`es it. */
  readonly run: (consumer: Consumer) => Promise<void>;
  readonly backoff?: Backoff;
  readonly logger?: Logger;
}

type Outcome = 'joined' | 'closed' | { readonly crashed: Error };

/**
 * Keeps a kafkajs consumer consuming through any broker outage, in process.
 *
 * kafkajs restarts a crashed consumer by itself only when the error is
 * retriable; after any other (`KafkaJSNonRetriableError: Failed to find group
 * coordinator` while a broker comes back, say) it emits `consumer.crash` with
 * `restart: false`, disconnects, and the process goes on without consuming.
 * This listens for exactly that crash and replaces the consumer: a new one
 * from the same client, in the same group, on the same topics, tried again
 * with capped exponential backoff until it has joined its group, for as long
 * as it takes. The crashed consumer is disconnected (kafkajs did already; again
 * is a no-op), and so is every attempt that did not join.
 *
 * In process rather than exiting for a supervisor to restart us: the embedded
 * default and the tests have no supervisor, a new process would drop the
 * requests the healthy handlers are still working on, and a container
 * restart back-off grows to minutes while this one stays at `maxMs`. A
 * service whose consumer cannot come back does not answer its health check
 * either, so an orchestrator's liveness probe still catches what this cannot.
 */
export class ConsumerRecovery {
  private readonly logger: Logger;
  private readonly backoff: Backoff;
  private readonly sleep = new CancellableSleep();
  private stopWatching?: () => void;
  /** Set while a replacement is under way: crashes of the consumers it tries are its own to handle. */
  private replacing?: Promise<void>;
  private closed = false;
  private onClose?: () => void;
  /** Consumers that replaced a crashed one so far. */
  restarts = 0;

  constructor(private readonly options: ConsumerRecoveryOptions) {
    this.logger = options.logger ?? new Logger(ConsumerRecovery.name);
    this.backoff = options.backoff ?? CONSUMER_RESTART_BACKOFF;
  }

  /** Replaces `consumer` (from now on the current one) when it crashes for good. */
  watch(consumer: Consumer): void {
    this.stopWatching?.();
    this.stopWatching = consumer.on(consumer.events.CRASH, (event: ConsumerCrashEvent) => {
      // kafkajs restarts it itself after a retriable error.
      if (event.payload.restart || this.closed || this.replacing) return;
      this.replacing = this.replace(consumer, event.payload.error);
    });
  }

  /**
   * No more restarts. A replacement under way stops at its next step (an
   * attempt still connecting may take a while: this waits 2 s at most, then
   * its owner disconnects its current consumer, which is that attempt's).
   */
  async close(): Promise<void> {
    this.closed = true;
    this.stopWatching?.();
    this.sleep.cancel();
    this.onClose?.();
    if (this.replacing) await Promise.race([this.replacing, new Promise((resolve) => setTimeout(resolve, 2_000))]);
  }

  private async replace(crashed: Consumer, cause: Error): Promise<void> {
    const { label } = this.options;
    const crashedAt = Date.now();
    this.logger.error(`${label}: consumer stopped (${cause.name}: ${cause.message}); replacing it, with backoff`);
    await crashed.disconnect().catch(() => undefined);
    let lastFailure = '';
    for (let attempt = 1; !this.closed; attempt += 1) {
      await this.sleep.for(backoffDelay(this.backoff, attempt));
      if (this.closed) break;
      const consumer = this.options.create();
      const outcome = this.outcomeOf(consumer);
      let result: Outcome;
      try {
        await this.options.run(consumer);
        result = await outcome.result;
      } catch (error) {
        result = { crashed: error instanceof Error ? error : new Error(String(error)) };
      } finally {
        outcome.stop();
      }
      if (result === 'joined' && !this.closed) {
        this.restarts += 1;
        // Synchronously with the join: a crash from now on is the watcher's again.
        this.replacing = undefined;
        this.logger.log(
          `${label}: consuming again, ${((Date.now() - crashedAt) / 1000).toFixed(1)} s after the crash (attempt ${attempt})`,
        );
        return;
      }
      await consumer.disconnect().catch(() => undefined);
      if (result !== 'joined' && result !== 'closed') {
        // Once per kind of failure, not once per attempt: the broker is simply not back yet.
        const failure = `${result.crashed.name}: ${result.crashed.message}`;
        if (failure !== lastFailure) {
          this.logger.warn(
            `${label}: not consuming yet (${failure}); trying again, at most ${this.backoff.maxMs / 1000} s apart`,
          );
        }
        lastFailure = failure;
      }
    }
    this.replacing = undefined;
  }

  /** The first of: the consumer joined its group, crashed for good, or this recovery was closed. */
  private outcomeOf(consumer: Consumer): { result: Promise<Outcome>; stop(): void } {
    let settle!: (outcome: Outcome) => void;
    const result = new Promise<Outcome>((resolve) => (settle = resolve));
    const removers = [
      consumer.on(consumer.events.GROUP_JOIN, () => settle('joined')),
      // A retriable crash kafkajs retries itself: wait on for the join, or a crash for good.
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (!payload.restart) settle({ crashed: payload.error });
      }),
    ];
    this.onClose = () => settle('closed');
    return {
      result,
      stop: () => {
        for (const remove of removers) remove();
        this.onClose = undefined;
      },
    };
  }
}
