import type { RecordedEvent, Subscription, SubscriptionHandlers } from './event-store.port.js';
import { reportSubscriptionError } from './subscription-error.js';

export interface PollingSubscriptionParts {
  readonly fromPosition: bigint;
  readonly handlers: SubscriptionHandlers;
  readonly pollIntervalMs: number;
  /** The next events of the global order after `after` (a page of them; none when caught up). */
  readPage(after: bigint): Promise<readonly RecordedEvent[]> | readonly RecordedEvent[];
  /** Calls `wake` whenever something may have been appended; answers how to stop. */
  listen(wake: () => void): () => void;
  onClosed(): void;
}

/**
 * `subscribeToAll` for the stores read by query (SQLite, PostgreSQL): reads a
 * page after the checkpoint, hands each event to the handler in order, and
 * when caught up waits for a wake-up (an append in this process, a
 * PostgreSQL notification) or the poll interval (appends by other processes),
 * whichever comes first. A wake-up that comes while a page is read or handled
 * is not lost: the next read follows at once.
 */
export class PollingSubscription implements Subscription {
  private closed = false;
  private woken = false;
  private wake: (() => void) | undefined;
  private readonly stopListening: () => void;
  private readonly running: Promise<void>;

  constructor(private readonly parts: PollingSubscriptionParts) {
    this.stopListening = parts.listen(() => {
      this.woken = true;
      this.wake?.();
    });
    this.running = this.deliver().finally(() => {
      this.stopListening();
      parts.onClosed();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.running;
  }

  private async deliver(): Promise<void> {
    let checkpoint = this.parts.fromPosition;
    // Never call a handler before subscribeToAll has returned the subscription.
    await Promise.resolve();
    try {
      while (!this.closed) {
        this.woken = false;
        const page = await this.parts.readPage(checkpoint);
        if (page.length === 0) {
          if (!this.woken) await this.waitForWakeOrPoll();
          continue;
        }
        for (const event of page) {
          if (this.closed) return;
          await this.parts.handlers.onEvent(event);
          checkpoint = event.position;
        }
      }
    } catch (error) {
      this.closed = true;
      reportSubscriptionError(this.parts.handlers, error);
    }
  }

  private waitForWakeOrPoll(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(done, this.parts.pollIntervalMs);
      this.wake = done;
    }).finally(() => {
      this.wake = undefined;
    });
  }
}
