import type { Consumer } from 'kafkajs';

interface NextOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/**
 * Commits a consumer's offsets at most once per `intervalMs`, not after every
 * fetched batch as kafkajs's auto-commit does: one OffsetCommit round trip,
 * and a write to `__consumer_offsets`, per batch, which at request/reply rates
 * is a message or two (measured: about a third of the broker's CPU per round
 * trip). Used with `run: { autoCommit: false }`:
 * - by the callers' reply consumers, every few seconds: a reply read again
 *   after a restart matches no waiting request and is dropped, so a commit
 *   only spares a restarted caller from reading the last replies again;
 * - by the services' request consumers, within a fraction of a second: a
 *   request is committed when it is taken (at most once), and only a request
 *   taken in the last interval can come again to another instance, after a
 *   rebalance (a graceful stop commits first; after a crash the group waits
 *   out the session timeout, longer than a request lives).
 * Nothing runs while nothing is handled. A commit that fails (a rebalance, the
 * broker away) is tried again, unless a later offset of the partition came first.
 */
export class PeriodicOffsetCommit {
  private readonly next = new Map<string, NextOffset>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly consumerOf: () => Consumer | undefined,
    private readonly intervalMs: number,
  ) {}

  /** `offset` of `topic`/`partition` was handled: the group resumes after it. */
  handled(topic: string, partition: number, offset: string): void {
    if (this.stopped) return;
    this.next.set(`${topic}/${partition}`, { topic, partition, offset: (BigInt(offset) + 1n).toString() });
    this.schedule();
  }

  /** For good: commits what was handled so far (its consumer still connected), then nothing more. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.commit();
    this.stopped = true;
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.commit();
    }, this.intervalMs).unref();
  }

  private async commit(): Promise<void> {
    if (this.stopped || this.next.size === 0) return;
    const consumer = this.consumerOf();
    if (!consumer) return this.schedule();
    const offsets = [...this.next.values()];
    this.next.clear();
    try {
      await consumer.commitOffsets([...offsets]);
    } catch {
      for (const offset of offsets) {
        const key = `${offset.topic}/${offset.partition}`;
        if (!this.next.has(key)) this.next.set(key, offset);
      }
      this.schedule();
    }
  }
}
