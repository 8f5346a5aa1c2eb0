import { describe, expect, it, vi } from 'vitest';
import { withConcurrencyRetry } from './concurrency-retry.js';
import { WrongExpectedVersion } from './event-store.port.js';

const conflict = () => new WrongExpectedVersion('tally-1', 3, 4);

describe('withConcurrencyRetry', () => {
  it('returns the first attempt that does not conflict', async () => {
    const attempt = vi
      .fn<() => Promise<string>>()
      .mockRejectedValueOnce(conflict())
      .mockRejectedValueOnce(conflict())
      .mockResolvedValueOnce('appended');

    await expect(withConcurrencyRetry(attempt, { baseDelayMs: 1 })).resolves.toBe('appended');
    expect(attempt).toHaveBeenCalledTimes(3);
  });

  it('rethrows the last conflict once the attempts are used up', async () => {
    const conflicts = [conflict(), conflict(), conflict()];
    const attempt = vi.fn<() => Promise<never>>();
    for (const error of conflicts) attempt.mockRejectedValueOnce(error);

    await expect(withConcurrencyRetry(attempt, { maxAttempts: 3, baseDelayMs: 1 })).rejects.toBe(conflicts[2]);
    expect(attempt).toHaveBeenCalledTimes(3);
  });

  it('rethrows any other error at once', async () => {
    const domainError = new Error('mfa_already_active');
    const attempt = vi.fn<() => Promise<never>>().mockRejectedValue(domainError);

    await expect(withConcurrencyRetry(attempt, { baseDelayMs: 1 })).rejects.toBe(domainError);
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  it('gives up after six attempts by default', async () => {
    const attempt = vi.fn<() => Promise<never>>().mockImplementation(() => Promise.reject(conflict()));

    await expect(withConcurrencyRetry(attempt, { baseDelayMs: 0 })).rejects.toBeInstanceOf(WrongExpectedVersion);
    expect(attempt).toHaveBeenCalledTimes(6);
  });

  it('backs off between attempts, with jitter below a doubling bound', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.999);
    const startedAt: number[] = [];
    const attempt = vi.fn(() => {
      startedAt.push(performance.now());
      return Promise.reject(conflict());
    });
    try {
      await expect(withConcurrencyRetry(attempt, { maxAttempts: 3, baseDelayMs: 20 })).rejects.toBeInstanceOf(
        WrongExpectedVersion,
      );
    } finally {
      vi.restoreAllMocks();
    }
    const [first = 0, second = 0, third = 0] = startedAt;
    expect(second - first).toBeGreaterThanOrEqual(18); // ~20 ms
    expect(third - second).toBeGreaterThanOrEqual(38); // ~40 ms
  });

  it('refuses a maxAttempts below one', async () => {
    await expect(withConcurrencyRetry(() => Promise.resolve(1), { maxAttempts: 0 })).rejects.toBeInstanceOf(RangeError);
  });
});
