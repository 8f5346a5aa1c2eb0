import { DomainError } from '#contracts';

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

/**
 * Throws `WeakPassword` with the first rule broken. Length counts Unicode code
 * points after NFC normalisation (what the hasher hashes), so an emoji or an
 * accented letter typed either way counts as one character.
 */
export function checkPasswordPolicy(password: string, context: { readonly email?: string } = {}): void {
  const normalised = password.normalize('NFC');
  const length = [...normalised].length;
  if (length < MIN_PASSWORD_LENGTH) throw new WeakPassword('too_short');
  if (length > MAX_PASSWORD_LENGTH) throw new WeakPassword('too_long');
  const email = context.email?.trim().normalize('NFC').toLowerCase();
  if (email && normalised.trim().toLowerCase() === email) throw new WeakPassword('same_as_email');
}
