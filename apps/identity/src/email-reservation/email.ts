import { DomainError } from '#contracts';

/** An email address after `normaliseEmail`: the only form that is stored, compared or hashed. */
export type NormalisedEmail = string & { readonly __brand: 'NormalisedEmail' };

export const MAX_EMAIL_LENGTH = 254;
const MAX_LOCAL_PART_LENGTH = 64;
// local@domain.tld: no whitespace, one '@', a domain of at least two non-empty labels.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/u;
const CONTROL_CHARACTER = /\p{Cc}/u;

export class InvalidEmail extends DomainError {
  constructor() {
    // The address is not echoed: error messages end up in logs and it is personal data.
    super('validation_failed', 'email address is not valid', { field: 'email' });
  }
}

/**
 * Trimmed, NFC, lower-case. Lower-casing the local part is not what RFC 5321
 * promises, but no mail provider people use distinguishes case, and two
 * accounts for `Ann@x.org` and `ann@x.org` would be a support problem.
 */
export function normaliseEmail(raw: string): NormalisedEmail {
  const email = raw.trim().normalize('NFC').toLowerCase();
  const at = email.lastIndexOf('@');
  if (
    email.length > MAX_EMAIL_LENGTH ||
    CONTROL_CHARACTER.test(email) ||
    !EMAIL_SHAPE.test(email) ||
    at > MAX_LOCAL_PART_LENGTH
  ) {
    throw new InvalidEmail();
  }
  return email as NormalisedEmail;
}
