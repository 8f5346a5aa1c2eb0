/**
 * Per-account throttling of passwords (NIST SP 800-63B §5.2.2), the rules
 * shared by the two aggregates that count failed passwords: a user's
 * (`user-<id>`) and an address nobody has (`unregistered_address-<sha256>`),
 * which is throttled exactly like an account so the answers do not tell which
 * addresses are registered. Pure: no clock, no I/O.
 *
 * - `delayAfterFailures` failures in a row: each next attempt must wait, after
 *   the last failure, `baseDelaySeconds`, then twice as long after the next
 *   failure, and so on up to `maxDelaySeconds`.
 * - `lockAfterFailures` failures in a row: locked until an admin unlocks the
 *   account or sets a new password (an address nobody has stays locked).
 * - An attempt that must wait, or meets a lock, is refused before its password
 *   is looked at (no argon2) and records nothing: it neither counts nor extends
 *   a delay, so refusals cost a read, and hammering a throttled account writes
 *   nothing.
 * - A correct password resets the count.
 */
import { AccountLocked, TooManyAttempts } from './password-attempts.errors.js';

export interface PasswordThrottlePolicy {
  /** Failures in a row after which attempts must wait (PASSWORD_DELAY_AFTER_FAILURES). */
  readonly delayAfterFailures: number;
  /** The first wait (PASSWORD_DELAY_BASE_SECONDS); it doubles with each further failure... */
  readonly baseDelaySeconds: number;
  /** ...up to this (PASSWORD_DELAY_MAX_SECONDS). */
  readonly maxDelaySeconds: number;
  /** Failures in a row that lock (PASSWORD_LOCK_AFTER_FAILURES). */
  readonly lockAfterFailures: number;
}

export const DEFAULT_PASSWORD_THROTTLE: PasswordThrottlePolicy = Object.freeze({
  delayAfterFailures: 5,
  baseDelaySeconds: 1,
  maxDelaySeconds: 3600,
  lockAfterFailures: 100,
});

/** Why a password attempt failed: a wrong password, or an address the organisation's allow-list refuses. */
export type PasswordFailureReason = 'wrong_password' | 'ip_not_allowed';

/** Where an attempt came from, recorded with its failure. */
export interface AttemptContext {
  readonly ip: string;
  readonly userAgent: string;
}

/** The failed passwords in a row, folded from an aggregate's events. */
export interface PasswordFailures {
  readonly consecutive: number;
  /** ISO-8601 instant of the last failure; null when there is none in a row. */
  readonly lastFailedAt: string | null;
  readonly locked: boolean;
}

export const NO_FAILURES: PasswordFailures = Object.freeze({ consecutive: 0, lastFailedAt: null, locked: false });

export const afterFailure = (failures: PasswordFailures, failedAt: string): PasswordFailures => ({
  ...failures,
  consecutive: failures.consecutive + 1,
  lastFailedAt: failedAt,
});

export const afterLock = (failures: PasswordFailures): PasswordFailures => ({ ...failures, locked: true });

/** How long after the last of `consecutive` failures the next attempt must wait: 0 below the threshold. */
export function delaySecondsAfter(consecutive: number, policy: PasswordThrottlePolicy): number {
  if (consecutive < policy.delayAfterFailures) return 0;
  // Capped before exponentiating: 2 ** 1000 is Infinity, and an hour is reached long before.
  const doublings = Math.min(consecutive - policy.delayAfterFailures, 40);
  return Math.min(policy.maxDelaySeconds, policy.baseDelaySeconds * 2 ** doublings);
}

/** Whether the failure that brings the count to `consecutive` locks. */
export const locksAt = (consecutive: number, policy: PasswordThrottlePolicy): boolean =>
  consecutive >= policy.lockAfterFailures;

/**
 * The refusal an attempt at `now` meets before its password is looked at, or
 * null when it may be checked. The handler asks before spending argon2; the
 * decider asks again on the state it appends to, so attempts racing past the
 * first question are refused once the failures before them land.
 */
export function refusalBeforeCheck(
  failures: PasswordFailures,
  now: Date,
  policy: PasswordThrottlePolicy,
): AccountLocked | TooManyAttempts | null {
  if (failures.locked) return new AccountLocked();
  const delaySeconds = delaySecondsAfter(failures.consecutive, policy);
  if (delaySeconds === 0 || failures.lastFailedAt === null) return null;
  const waitMs = Date.parse(failures.lastFailedAt) + delaySeconds * 1000 - now.getTime();
  return waitMs > 0 ? new TooManyAttempts(Math.ceil(waitMs / 1000)) : null;
}

export function assertPasswordThrottlePolicy(policy: PasswordThrottlePolicy): void {
  const { delayAfterFailures, baseDelaySeconds, maxDelaySeconds, lockAfterFailures } = policy;
  for (const [name, value] of Object.entries(policy)) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  }
  if (maxDelaySeconds < baseDelaySeconds) throw new RangeError('maxDelaySeconds must be at least baseDelaySeconds');
  if (lockAfterFailures < delayAfterFailures) {
    throw new RangeError('lockAfterFailures must be at least delayAfterFailures');
  }
}

/** The policy the identity service's configuration sets. */
export const passwordThrottleOf = (config: {
  readonly PASSWORD_DELAY_AFTER_FAILURES: number;
  readonly PASSWORD_DELAY_BASE_SECONDS: number;
  readonly PASSWORD_DELAY_MAX_SECONDS: number;
  readonly PASSWORD_LOCK_AFTER_FAILURES: number;
}): PasswordThrottlePolicy => ({
  delayAfterFailures: config.PASSWORD_DELAY_AFTER_FAILURES,
  baseDelaySeconds: config.PASSWORD_DELAY_BASE_SECONDS,
  maxDelaySeconds: config.PASSWORD_DELAY_MAX_SECONDS,
  lockAfterFailures: config.PASSWORD_LOCK_AFTER_FAILURES,
});
