import { describe, expect, it } from 'vitest';
import {
  assertPasswordThrottlePolicy,
  DEFAULT_PASSWORD_THROTTLE,
  delaySecondsAfter,
  NO_FAILURES,
  refusalBeforeCheck,
} from './password-attempts.js';

describe('password throttling rules', () => {
  it('waits nothing below five failures, then 1, 2, 4 ... seconds, capped at an hour', () => {
    const delays = Array.from({ length: 20 }, (_, failures) => delaySecondsAfter(failures, DEFAULT_PASSWORD_THROTTLE));
    expect(delays).toEqual([0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 3600, 3600, 3600]);
    expect(delaySecondsAfter(99, DEFAULT_PASSWORD_THROTTLE)).toBe(3600);
    expect(delaySecondsAfter(10_000, DEFAULT_PASSWORD_THROTTLE)).toBe(3600);
  });

  it('takes about three and a half days of guessing to reach the lock at 100, at the defaults', () => {
    let seconds = 0;
    for (let failures = 1; failures < 100; failures += 1)
      seconds += delaySecondsAfter(failures, DEFAULT_PASSWORD_THROTTLE);
    expect(seconds / 86_400).toBeGreaterThan(3.4);
    expect(seconds / 86_400).toBeLessThan(3.6);
  });

  it('tells the wait in whole seconds, rounded up', () => {
    const failures = { consecutive: 7, lastFailedAt: '2025-03-10T12:00:00.000Z', locked: false };
    expect(refusalBeforeCheck(failures, new Date('2025-03-10T12:00:00.001Z'), DEFAULT_PASSWORD_THROTTLE)).toMatchObject(
      {
        retryAfterSeconds: 4,
      },
    );
    expect(refusalBeforeCheck(failures, new Date('2025-03-10T12:00:03.001Z'), DEFAULT_PASSWORD_THROTTLE)).toMatchObject(
      {
        retryAfterSeconds: 1,
      },
    );
    expect(refusalBeforeCheck(failures, new Date('2025-03-10T12:00:04.000Z'), DEFAULT_PASSWORD_THROTTLE)).toBeNull();
    expect(refusalBeforeCheck(NO_FAILURES, new Date(), DEFAULT_PASSWORD_THROTTLE)).toBeNull();
  });

  it('refuses a policy that could never delay before locking, or a cap below the first delay', () => {
    expect(() => assertPasswordThrottlePolicy({ ...DEFAULT_PASSWORD_THROTTLE, lockAfterFailures: 4 })).toThrow(
      RangeError,
    );
    expect(() => assertPasswordThrottlePolicy({ ...DEFAULT_PASSWORD_THROTTLE, maxDelaySeconds: 0 })).toThrow(
      RangeError,
    );
    expect(() => assertPasswordThrottlePolicy({ ...DEFAULT_PASSWORD_THROTTLE, baseDelaySeconds: 1.5 })).toThrow(
      RangeError,
    );
  });
});
