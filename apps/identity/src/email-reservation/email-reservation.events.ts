import { createHash } from 'node:crypto';
import type { NormalisedEmail } from './email.js';

/** `email-<sha256 hex>`: one stream per address, and no personal data in stream names. */
export function emailReservationStream(email: NormalisedEmail): string {
  return `email-${createHash('sha256').update(email, 'utf8').digest('hex')}`;
}

/**
 * The first reservation of an address is appended at `no_stream`, so of two
 * concurrent registrations of one address exactly one wins; the other re-reads,
 * sees the reservation and answers `email_taken`. Never published: it is
 * identity's own uniqueness guard.
 */
export type EmailReserved = {
  readonly type: 'EmailReserved';
  readonly data: { readonly email: NormalisedEmail; readonly userId: string; readonly reservedAt: string };
};

export type EmailReservationEvent = EmailReserved;
