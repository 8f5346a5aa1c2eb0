/**
 * The key ring an operator's tool reseals with: exactly the mfa service's
 * configured `MFA_ENCRYPTION_KEY` and `MFA_PREVIOUS_ENCRYPTION_KEYS`. Unlike
 * the service at start (encryption-key-ring.ts), it never falls back to, or
 * creates, the development key file: a rotation says which key is current.
 */
import type { MfaConfig } from '#config';
import { SecretCipher } from '../totp/secret-cipher.js';

/** The current key is not configured: nothing says what to reseal under. */
export class EncryptionKeyNotConfigured extends Error {
  override readonly name = 'EncryptionKeyNotConfigured';
  constructor() {
    super(
      'MFA_ENCRYPTION_KEY is not set: give the mfa service’s keys, the one to seal under (MFA_ENCRYPTION_KEY) ' +
        'and every key secrets may still be sealed with (MFA_PREVIOUS_ENCRYPTION_KEYS, comma-separated)',
    );
  }
}

export function operatorKeyRing(
  config: Pick<MfaConfig, 'MFA_ENCRYPTION_KEY' | 'MFA_PREVIOUS_ENCRYPTION_KEYS'>,
): SecretCipher {
  if (!config.MFA_ENCRYPTION_KEY) throw new EncryptionKeyNotConfigured();
  return new SecretCipher({ current: config.MFA_ENCRYPTION_KEY, previous: config.MFA_PREVIOUS_ENCRYPTION_KEYS });
}
