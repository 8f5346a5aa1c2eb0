import type { Consumer } from 'kafkajs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PeriodicOffsetCommit } from './periodic-offset-commit.js';

describe('PeriodicOffsetCommit', () => {
  let commits: Array<Array<{ topic: string; partition: number; offset: string }>>;
  let fail: boolean;
  const consumer = {
    commitOffsets: async (offsets: Array<{ topic: string; partition: number; offset: string }>) => {
      commits.push(offsets);
      if (fail) throw new Error('rebalance in progress');
    },
  } as unknown as Consumer;

  beforeEach(() => {
    vi.useFakeTimers();
    commits = [];
    fail = false;
  });
  afterEach(() => vi.useRealTimers());

  it('commits, once per interval, the offset after the last one handled of each partition', async () => {
    const committer = new PeriodicOffsetCommit(() => consumer, 5000);
    committer.handled('a.reply', 0, '7');
    committer.handled('a.reply', 0, '8');
    committer.handled('b.reply', 2, '41');

    await vi.advanceTimersByTimeAsync(4999);
    expect(commits).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(commits).toEqual([
      [
        { topic: 'a.reply', partition: 0, offset: '9' },
        { topic: 'b.reply', partition: 2, offset: '42' },
      ],
    ]);

    await vi.advanceTimersByTimeAsync(10_000);
    expect(commits).toHaveLength(1); // nothing new handled: nothing to commit
    await committer.stop();
  });

  it('leaves a failed commit to the next one, and commits nothing once stopped', async () => {
    const committer = new PeriodicOffsetCommit(() => consumer, 1000);
    fail = true;
    committer.handled('a.reply', 1, '1');
    await vi.advanceTimersByTimeAsync(1000);
    fail = false;
    committer.handled('a.reply', 1, '2');
    await vi.advanceTimersByTimeAsync(1000);
    expect(commits.at(-1)).toEqual([{ topic: 'a.reply', partition: 1, offset: '3' }]);

    await committer.stop();
    committer.handled('a.reply', 1, '3');
    await vi.advanceTimersByTimeAsync(5000);
    expect(commits).toHaveLength(2);
  });

  it('tries a failed commit again with nothing new handled, unless a later offset of the partition came first', async () => {
    const committer = new PeriodicOffsetCommit(() => consumer, 100);
    fail = true;
    committer.handled('identity.get-user', 0, '10');
    committer.handled('identity.get-user', 1, '20');
    await vi.advanceTimersByTimeAsync(100);
    fail = false;
    committer.handled('identity.get-user', 1, '21');
    await vi.advanceTimersByTimeAsync(100);
    expect(commits.at(-1)).toEqual([
      { topic: 'identity.get-user', partition: 0, offset: '11' },
      { topic: 'identity.get-user', partition: 1, offset: '22' },
    ]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(commits).toHaveLength(2);
    await committer.stop();
  });

  it('commits what was handled when stopped, without waiting for the interval, and nothing after', async () => {
    const committer = new PeriodicOffsetCommit(() => consumer, 60_000);
    committer.handled('mfa.verify-challenge', 3, '99');
    await committer.stop();
    expect(commits).toEqual([[{ topic: 'mfa.verify-challenge', partition: 3, offset: '100' }]]);
    committer.handled('mfa.verify-challenge', 3, '100');
    await vi.advanceTimersByTimeAsync(120_000);
    expect(commits).toHaveLength(1);
  });

  it('waits for a consumer: none yet (or between two), nothing committed and nothing lost', async () => {
    const current: { consumer?: Consumer } = {};
    const committer = new PeriodicOffsetCommit(() => current.consumer, 1000);
    committer.handled('a.reply', 0, '5');
    await vi.advanceTimersByTimeAsync(1000);
    expect(commits).toEqual([]);
    current.consumer = consumer;
    await vi.advanceTimersByTimeAsync(1000);
    expect(commits).toEqual([[{ topic: 'a.reply', partition: 0, offset: '6' }]]);
    await committer.stop();
  });
});
