import { DomainError } from '#contracts';

/**
 * The user's password or MFA changed while they were signing in (after the
 * password was checked): the sign-in proved credentials that no longer count.
 * Answered like a wrong password; signing in again works.
 */
export class StaleSignIn extends DomainError {
  constructor() {
    super('invalid_credentials', 'the account changed while signing in; sign in again');
  }
}
