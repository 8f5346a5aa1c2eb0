/**
 * The MFA aggregate's refusals. Each has a stable `code` from DESIGN.md's REST
 * contract (the same strings as `ErrorCode` in #contracts), which the edge maps
 * to an HTTP status. Messages carry no secret, code or step.
 */
export type MfaErrorCode =
  | 'mfa_already_active'
  | 'no_pending_enrollment'
  | 'invalid_codes'
  | 'invalid_code'
  | 'confirmation_required'
  | 'mfa_locked'
  | 'mfa_not_active';

export abstract class MfaDomainError extends Error {
  abstract readonly code: MfaErrorCode;
}

export class MfaAlreadyActive extends MfaDomainError {
  override readonly name = 'MfaAlreadyActive';
  override readonly code = 'mfa_already_active';
  constructor() {
    super('MFA is already active; deactivate it before enrolling again');
  }
}

export class NoPendingEnrollment extends MfaDomainError {
  override readonly name = 'NoPendingEnrollment';
  override readonly code = 'no_pending_enrollment';
  constructor() {
    super('there is no enrollment to activate, or it has expired');
  }
}

export class InvalidCodes extends MfaDomainError {
  override readonly name = 'InvalidCodes';
  override readonly code = 'invalid_codes';
  constructor() {
    super('the codes must be two consecutive current codes from the authenticator app');
  }
}

export class InvalidCode extends MfaDomainError {
  override readonly name = 'InvalidCode';
  override readonly code = 'invalid_code';
  constructor() {
    super('the code is not valid');
  }
}

export class ConfirmationRequired extends MfaDomainError {
  override readonly name = 'ConfirmationRequired';
  override readonly code = 'confirmation_required';
  constructor() {
    super('deactivating MFA must be confirmed explicitly');
  }
}

export class MfaLocked extends MfaDomainError {
  override readonly name = 'MfaLocked';
  override readonly code = 'mfa_locked';
  constructor(
    /** ISO-8601; the first instant codes are checked again. */
    readonly lockedUntil: string,
  ) {
    super(`too many wrong codes; try again after ${lockedUntil}`);
  }
}

export class MfaNotActive extends MfaDomainError {
  override readonly name = 'MfaNotActive';
  override readonly code = 'mfa_not_active';
  constructor() {
    super('MFA is not active');
  }
}
