import { setTimeout as sleep } from 'node:timers/promises';
import { WrongExpectedVersion } from './event-store.port.js';

export interface ConcurrencyRetryOptions {
  /** Attempts in total, the first included. Default 6. */
  readonly maxAttempts?: number;
  /** Upper bound of the first backoff; doubles per retry (full jitter). Default 10 ms. */
  readonly baseDelayMs?: number;
}

/**
 * Runs one whole load → decide → append attempt, and runs it again when another
 * writer got there first (`WrongExpectedVersion`): the retry decides on the new
 * state, so a command that is no longer valid fails with its domain error.
 * Other errors, and the last conflict, are rethrown.
 */
export async function withConcurrencyRetry<T>(
  attempt: () => Promise<T>,
  options: ConcurrencyRetryOptions = {},
): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 6;
  const baseDelayMs = options.baseDelayMs ?? 10;
  if (!(Number.isInteger(maxAttempts) && maxAttempts >= 1)) {
    throw new RangeError(`maxAttempts must be an integer >= 1; got ${maxAttempts}`);
  }
  for (let attemptNumber = 1; ; attemptNumber += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof WrongExpectedVersion) || attemptNumber >= maxAttempts) throw error;
      await sleep(Math.random() * baseDelayMs * 2 ** (attemptNumber - 1));
    }
  }
}
