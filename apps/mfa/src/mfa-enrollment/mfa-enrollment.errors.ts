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
 * lets the gateway send `Retry-After`.
 */
export class MfaLocked extends DomainError {
  constructor(
    /** ISO-8601; the first instant codes are checked again. */
    lockedUntil: string,
    /** When the refused attempt was made. */
    attemptedAt: Date,
  ) {
    const retryAfterSeconds = Math.max(1, Math.ceil((Date.parse(lockedUntil) - attemptedAt.getTime()) / 1000));
    super('mfa_locked', `too many wrong codes; try again after ${lockedUntil}`, { lockedUntil, retryAfterSeconds });
  }
}

export class MfaNotActive extends DomainError {
  constructor() {
    super('mfa_not_active', 'MFA is not active');
  }
}
