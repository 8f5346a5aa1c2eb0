/**
 * The refusal a handler answers with after appending the events `decide`
 * returned. Failed checks are events, not exceptions, because they must be
 * stored (lock-out, audit) before the caller is told no.
 */
import { assertNever } from '#contracts';
import { InvalidCode, InvalidCodes, MfaLocked } from './mfa-enrollment.errors.js';
import type { MfaEnrollmentEvent } from './mfa-enrollment.events.js';

/**
 * The refusal the events stand for, or null when they record a success. A
 * replayed code is refused exactly like a wrong one, and a wrong or used
 * recovery code like a wrong code: the caller cannot tell them apart.
 */
export function rejectionOf(events: readonly MfaEnrollmentEvent[]): InvalidCode | InvalidCodes | MfaLocked | null {
  for (const event of events) {
    if (event.type !== 'MfaChallengeFailed') continue;
    const { reason, purpose, lockedUntil, requiresAdminReset, failedAt } = event.data;
    switch (reason) {
      case 'locked':
        return new MfaLocked(requiresAdminReset ? null : (lockedUntil ?? failedAt), new Date(failedAt));
      case 'invalid_code':
      case 'replayed':
      case 'invalid_recovery_code':
      case 'recovery_code_used':
        switch (purpose) {
          case 'activation':
            return new InvalidCodes();
          case 'login':
          case 'deactivation':
          case 'regeneration':
            return new InvalidCode();
          default:
            return assertNever(purpose);
        }
      default:
        return assertNever(reason);
    }
  }
  return null;
}
