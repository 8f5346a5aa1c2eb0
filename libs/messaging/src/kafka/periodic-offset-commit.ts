import type { Consumer } from 'kafkajs';

/**
 * Commits a consumer's offsets every `intervalMs`, not after every fetched
 * batch as kafkajs's auto-commit does (one OffsetCommit round trip, and a
 * write to `__consumer_offsets`, per batch: at request/reply rates, a message
 * or two each). For consumers whose offsets carry no promise, the callers'
 * reply consumers (`run: { autoCommit: false }`): a reply read again after a
 * restart matches no waiting request and is dropped, so a commit only spares a
 * restarted caller from reading the last minute of replies again. A commit
 * that fails (a rebalance, the broker away) is left to the next one.
 */
export class PeriodicOffsetCommit {
  private readonly next = new Map<string, { topic: string; partition: number; offset: string }>();
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
    this.timer ??= setInterval(() => void this.commit(), this.intervalMs).unref();
  }

  /** For good: what is handled after it is not committed (the consumer is closing). */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async commit(): Promise<void> {
    const consumer = this.consumerOf();
    if (!consumer || this.next.size === 0) return;
    const offsets = [...this.next.values()];
    this.next.clear();
    await consumer.commitOffsets(offsets).catch(() => undefined);
  }
}
