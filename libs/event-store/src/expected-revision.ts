import type { ExpectedRevision } from './event-store.port.js';

export function assertValidExpectedRevision(expected: ExpectedRevision): void {
  if (typeof expected === 'number' && !(Number.isSafeInteger(expected) && expected >= 0)) {
    throw new RangeError(`expected revision must be an integer >= 0, 'no_stream' or 'any'; got ${expected}`);
  }
}

/** The actual revision when `current` (-1: no stream) does not satisfy `expected`; undefined when it does. */
export function checkExpectedRevision(
  expected: ExpectedRevision,
  current: number,
): { actual: number | 'no_stream' } | undefined {
  const satisfied = expected === 'any' || (expected === 'no_stream' ? current === -1 : expected === current);
  return satisfied ? undefined : { actual: current === -1 ? 'no_stream' : current };
}

export function assertValidTruncateRevision(revision: number): void {
  if (!(Number.isSafeInteger(revision) && revision >= 0)) {
    throw new RangeError(`a stream is truncated before a revision, an integer >= 0; got ${revision}`);
  }
}
