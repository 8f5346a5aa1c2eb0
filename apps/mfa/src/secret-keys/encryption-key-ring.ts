/**
 * The key ring TOTP secrets are sealed with: `MFA_ENCRYPTION_KEY` (plus
 * `MFA_PREVIOUS_ENCRYPTION_KEYS`, which still decrypt after a rotation), or,
 * when it is unset, a development key generated once into
 * `<DATA_DIR>/mfa-encryption.key`. Nothing here ever logs or returns a key
 * in a message; a key is named by its id (a truncated SHA-256) at most.
 */
import { join } from 'node:path';
import { readOrCreateKeyFile, type MfaConfig } from '#config';
import { generateEncryptionKey, InvalidEncryptionKey, SecretCipher } from '../totp/secret-cipher.js';

export const KEY_FILE_NAME = 'mfa-encryption.key';

export type KeyRingSource =
  { readonly kind: 'environment' } | { readonly kind: 'key-file'; readonly path: string; readonly created: boolean };

export interface ResolvedSecretCipher {
  readonly cipher: SecretCipher;
  readonly source: KeyRingSource;
}

type KeyConfig = Pick<MfaConfig, 'MFA_ENCRYPTION_KEY' | 'MFA_PREVIOUS_ENCRYPTION_KEYS' | 'DATA_DIR'>;

export function resolveSecretCipher(config: KeyConfig): ResolvedSecretCipher {
  const previous = config.MFA_PREVIOUS_ENCRYPTION_KEYS;
  if (config.MFA_ENCRYPTION_KEY) {
    return {
      cipher: new SecretCipher({ current: config.MFA_ENCRYPTION_KEY, previous }),
      source: { kind: 'environment' },
    };
  }
  const path = join(config.DATA_DIR, KEY_FILE_NAME);
  const { contents: key, created } = readOrCreateKeyFile(path, () => `${generateEncryptionKey()}\n`);
  try {
    return { cipher: new SecretCipher({ current: key, previous }), source: { kind: 'key-file', path, created } };
  } catch (error) {
    if (error instanceof InvalidEncryptionKey) throw new Error(`${path}: ${error.message}`);
    throw error;
  }
}

/** The one line an operator sees at start when no key is configured; it names the file, never the key. */
export function developmentKeyWarning(source: KeyRingSource, keyId: string): string | null {
  switch (source.kind) {
    case 'environment':
      return null;
    case 'key-file':
      return (
        `MFA_ENCRYPTION_KEY is not set: TOTP secrets are encrypted with the development key ` +
        `${source.created ? 'generated into' : 'read from'} ${source.path} (key id ${keyId}); ` +
        'set MFA_ENCRYPTION_KEY (base64 of 32 random bytes) in production'
      );
  }
}
