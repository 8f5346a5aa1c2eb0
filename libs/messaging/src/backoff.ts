/** Capped exponential backoff: `initialMs`, doubling on every attempt, never more than `maxMs`. */
export interface Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
}

/**
 * The wait before attempt `attempt` (1-based), with ±20 % jitter so that the
 * instances of a service that lost the broker together do not all come back in
 * the same millisecond.
 */
export function backoffDelay(backoff: Backoff, attempt: number, random: () => number = Math.random): number {
  const exponential = backoff.initialMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30);
  const capped = Math.min(backoff.maxMs, exponential);
  return Math.round(capped * (0.8 + 0.4 * random()));
}

/**
 * A wait that `cancel` ends early (a shutdown must not sit out a backoff). It
 * keeps the process alive on purpose: while the broker is away, a service's
 * pending restart may be all that is left on its event loop.
 */
export class CancellableSleep {
  private readonly pending = new Set<() => void>();

  for(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.pending.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.pending.add(done);
    });
  }

  cancel(): void {
    for (const done of [...this.pending]) done();
  }
}
