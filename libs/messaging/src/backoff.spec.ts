import { describe, expect, it } from 'vitest';
import { backoffDelay, CancellableSleep } from './backoff.js';

describe('backoffDelay', () => {
  const backoff = { initialMs: 500, maxMs: 10_000 };

  it('doubles from the initial wait and never exceeds the cap', () => {
    const middle = () => 0.5; // no jitter
    expect([1, 2, 3, 4, 5, 6, 7, 100].map((attempt) => backoffDelay(backoff, attempt, middle))).toEqual([
      500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000,
    ]);
  });

  it('spreads instances by ±20 %', () => {
    expect(backoffDelay(backoff, 1, () => 0)).toBe(400);
    expect(backoffDelay(backoff, 1, () => 1)).toBe(600);
    expect(backoffDelay(backoff, 50, () => 1)).toBe(12_000);
  });
});

describe('CancellableSleep', () => {
  it('ends every pending wait at once when cancelled', async () => {
    const sleep = new CancellableSleep();
    const started = Date.now();
    const waits = Promise.all([sleep.for(60_000), sleep.for(60_000)]);
    sleep.cancel();
    await waits;
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
