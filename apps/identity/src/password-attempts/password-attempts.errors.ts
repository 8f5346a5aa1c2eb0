/** The refusals of a password attempt; none says whether the password was right. */
import { assertNever, DomainError } from '#contracts';
import { InvalidCredentials } from '../users/user.errors.js';
import type { PasswordFailureReason } from './password-attempts.js';

/** Locked: until an admin unlocks the account or sets a new password. Says nothing about the password. */
export class AccountLocked extends DomainError {
  constructor() {
    super('account_locked', 'too many failed passwords: the account is locked until an administrator unlocks it');
  }
}

/** Must wait: answered `429` with `Retry-After`, the password not looked at. */
export class TooManyAttempts extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super('too_many_attempts', 'too many failed passwords; try again later', { retryAfterSeconds });
  }
}

/**
 * The organisation's IP allow-list refuses the client's address: answered
 * whatever the password, which is not looked at, and counted as a failure.
 */
export class IpNotAllowed extends DomainError {
  constructor() {
    super('ip_not_allowed', 'logins from this address are not allowed');
  }
}

/** What a recorded failure is answered with: a wrong password as any wrong credentials, a refused address as such. */
export function refusalForFailure(reason: PasswordFailureReason): InvalidCredentials | IpNotAllowed {
  switch (reason) {
    case 'wrong_password':
      return new InvalidCredentials();
    case 'ip_not_allowed':
      return new IpNotAllowed();
    default:
      return assertNever(reason);
  }
}
