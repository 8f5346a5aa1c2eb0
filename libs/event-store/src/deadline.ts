import { AsyncLocalStorage } from 'node:async_hooks';
import { DomainError } from '#contracts';

/**
 * The deadline of the request a command runs for: a caller that stopped
 * waiting has already answered `service_unavailable`, so its command must not
 * change state after all. Checked on arrival and again right before each
 * append (`AggregateRepository`), since a request may wait on a lock, a
 * conflict retry or argon2 in between.
 */
const deadlines = new AsyncLocalStorage<number>();

export class DeadlinePassed extends DomainError {
  constructor() {
    super('service_unavailable', 'the caller stopped waiting before the request could be applied');
  }
}

/** Runs `work` for a request whose caller waits until `deadline` (epoch ms). */
export const withDeadline = <T>(deadline: number, work: () => T): T => deadlines.run(deadline, work);

export function assertBeforeDeadline(now = Date.now()): void {
  const deadline = deadlines.getStore();
  if (deadline !== undefined && now > deadline) throw new DeadlinePassed();
}
