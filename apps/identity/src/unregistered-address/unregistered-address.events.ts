import { createHash } from 'node:crypto';
import type { PasswordFailureReason } from '../password-attempts/password-attempts.js';

/**
 * `unregistered_address-<sha256 hex>` of the address as typed (trimmed, NFC,
 * lower-case, as `normaliseEmail` would make it, also when it is no valid
 * address): the failed passwords of sign-ins with an address no user has.
 * They are throttled and locked like an account's, so neither a delay nor a
 * lock tells an attacker which addresses are registered. No personal data in
 * the stream name; never published.
 */
export function unregisteredAddressStream(typedEmail: string): string {
  const key = typedEmail.trim().normalize('NFC').toLowerCase();
  return `unregistered_address-${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

export type PasswordCheckFailed = {
  readonly type: 'PasswordCheckFailed';
  readonly data: {
    readonly reason: PasswordFailureReason;
    readonly ip: string;
    readonly userAgent: string;
    readonly failedAt: string;
  };
};

/** Appended with the failure that reached PASSWORD_LOCK_AFTER_FAILURES: as an account would be locked. */
export type AddressLocked = {
  readonly type: 'AddressLocked';
  readonly data: { readonly lockedAt: string };
};

export type UnregisteredAddressEvent = PasswordCheckFailed | AddressLocked;
