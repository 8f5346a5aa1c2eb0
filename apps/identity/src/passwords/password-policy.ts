import { DomainError } from '#contracts';
import { loadCommonPasswords, type CommonPasswords } from './common-passwords.js';

/** NIST SP 800-63B: length is what matters; no composition rules. */
export const MIN_PASSWORD_LENGTH = 12;
/** Bounds the work one login can cost, long enough for any passphrase. */
export const MAX_PASSWORD_LENGTH = 1024;

export type WeakPasswordReason = 'too_short' | 'too_long' | 'same_as_email';

const MESSAGES: Record<WeakPasswordReason, string> = {
  too_short: `password must be at least ${MIN_PASSWORD_LENGTH} characters long`,
  too_long: `password must be at most ${MAX_PASSWORD_LENGTH} characters long`,
  same_as_email: 'password must not be the email address',
};

export class WeakPassword extends DomainError {
  constructor(readonly reason: WeakPasswordReason) {
    super('weak_password', MESSAGES[reason], {
      reason,
      minLength: MIN_PASSWORD_LENGTH,
      maxLength: MAX_PASSWORD_LENGTH,
    });
  }
}

/** On the list of common and breached passwords: whoever tries passwords tries these first. */
export class PasswordTooCommon extends DomainError {
  constructor() {
    super('password_too_common', 'this password is on a list of common or breached passwords; choose another');
  }
}

let commonPasswords: CommonPasswords | undefined;

/** The screening list, read on first use (about a quarter of a second); `preloadCommonPasswords` reads it at start. */
export function preloadCommonPasswords(): CommonPasswords {
  commonPasswords ??= loadCommonPasswords(MIN_PASSWORD_LENGTH);
  return commonPasswords;
}

/**
 * Throws `WeakPassword` with the first rule broken, then `PasswordTooCommon`.
 * Length counts Unicode code points after NFC normalisation (what the hasher
 * hashes), so an emoji or an accented letter typed either way counts as one
 * character. For new passwords only: a sign-in checks the password against its
 * hash, whatever rules held when it was set.
 */
export function checkPasswordPolicy(password: string, context: { readonly email?: string } = {}): void {
  const normalised = password.normalize('NFC');
  const length = [...normalised].length;
  if (length < MIN_PASSWORD_LENGTH) throw new WeakPassword('too_short');
  if (length > MAX_PASSWORD_LENGTH) throw new WeakPassword('too_long');
  const email = context.email?.trim().normalize('NFC').toLowerCase();
  if (email && normalised.trim().toLowerCase() === email) throw new WeakPassword('same_as_email');
  if (preloadCommonPasswords().has(normalised)) throw new PasswordTooCommon();
}
