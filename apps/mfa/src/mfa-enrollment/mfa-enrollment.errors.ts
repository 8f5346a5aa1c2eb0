/**
 * The MFA aggregate's refusals, each with its code from DESIGN.md's REST
 * contract, which the gateway maps to an HTTP status. Messages carry no
 * secret, code or step.
 */
import { DomainError } from '#contracts';

export class MfaAlreadyActive extends DomainError {
  constructor() {
    super('mfa_already_active', 'MFA is already active; deactivate it before enrolling again');
  }
}

export class NoPendingEnrollment extends DomainError {
  constructor() {
    super('no_pending_enrollment', 'there is no enrollment to activate, or it has expired');
  }
}

export class InvalidCodes extends DomainError {
  constructor() {
    super('invalid_codes', 'the codes must be two consecutive current codes from the authenticator app');
  }
}

export class InvalidCode extends DomainError {
  constructor() {
    super('invalid_code', 'the code is not valid');
  }
}

export class ConfirmationRequired extends DomainError {
  constructor() {
    super('confirmation_required', 'deactivating MFA must be confirmed explicitly');
  }
}

/**
 * Also tells when codes are checked again: the instant is fixed by the failure
 * that set the lock and attempts while locked neither extend nor shorten it,
 * so saying it gives an attacker nothing that asking again would not, and it
 * lets the gateway send `Retry-After`. A lock until an admin reset has no
 * such instant: `lockedUntil` is null, `requiresAdminReset` true and there is
 * no `retryAfterSeconds` (so no `Retry-After` either).
 */
export class MfaLocked extends DomainError {
  constructor(
    /** ISO-8601, the first instant codes are checked again; null: not before an admin reset. */
    lockedUntil: string | null,
    /** When the refused attempt was made. */
    attemptedAt: Date,
  ) {
    super('mfa_locked', ...lockAnswer(lockedUntil, attemptedAt));
  }
}

function lockAnswer(lockedUntil: string | null, attemptedAt: Date): [string, Record<string, unknown>] {
  if (lockedUntil === null) {
    return [
      'too many wrong codes; an administrator must reset MFA before codes are accepted again',
      { lockedUntil: null, requiresAdminReset: true },
    ];
  }
  const retryAfterSeconds = Math.max(1, Math.ceil((Date.parse(lockedUntil) - attemptedAt.getTime()) / 1000));
  return [
    `too many wrong codes; try again after ${lockedUntil}`,
    { lockedUntil, retryAfterSeconds, requiresAdminReset: false },
  ];
}

/**
 * The login's `mfaToken` has already verified a code: a token is good for one
 * successful code. Answered like the gateway answers a token that is not valid.
 */
export class MfaTokenUsed extends DomainError {
  constructor() {
    super('invalid_mfa_token', 'the MFA token has already been used; log in again');
  }
}

export class MfaNotActive extends DomainError {
  constructor() {
    super('mfa_not_active', 'MFA is not active');
  }
}
