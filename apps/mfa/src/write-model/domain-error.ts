import { DomainError } from '#contracts';
import { assertNever } from '../mfa-enrollment/assert-never.js';
import type { MfaDomainError } from '../mfa-enrollment/mfa-enrollment.errors.js';
import { MfaLocked } from '../mfa-enrollment/mfa-enrollment.errors.js';

/**
 * The aggregate's refusal as the contract's `DomainError` (same code, same
 * message). A lock-out also tells when codes are checked again: the instant is
 * fixed by the failure that set the lock and attempts while locked neither
 * extend nor shorten it, so saying it gives an attacker nothing that asking
 * again would not, and it lets the gateway send `Retry-After`.
 */
export function toDomainError(error: MfaDomainError, now: Date): DomainError {
  switch (error.code) {
    case 'mfa_locked': {
      const lockedUntil = error instanceof MfaLocked ? error.lockedUntil : now.toISOString();
      const retryAfterSeconds = Math.max(1, Math.ceil((Date.parse(lockedUntil) - now.getTime()) / 1000));
      return new DomainError(error.code, error.message, { lockedUntil, retryAfterSeconds });
    }
    case 'mfa_already_active':
    case 'no_pending_enrollment':
    case 'invalid_codes':
    case 'invalid_code':
    case 'confirmation_required':
    case 'mfa_not_active':
      return new DomainError(error.code, error.message);
    default:
      return assertNever(error.code);
  }
}
