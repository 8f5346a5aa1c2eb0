/**
 * The key ring TOTP secrets are sealed with: `MFA_ENCRYPTION_KEY` (plus
 * `MFA_PREVIOUS_ENCRYPTION_KEYS`, which still decrypt after a rotation), or,
 * when it is unset, a development key generated once into
 * `<DATA_DIR>/mfa-encryption.key`. Nothing here ever logs or returns a key
 * in a message; a key is named by its id (a truncated SHA-256) at most.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Config } from '#config';
import { generateEncryptionKey, InvalidEncryptionKey, SecretCipher } from '../totp/secret-cipher.js';

export const KEY_FILE_NAME = 'mfa-encryption.key';

export type KeyRingSource =
  { readonly kind: 'environment' } | { readonly kind: 'key-file'; readonly path: string; readonly created: boolean };

export interface ResolvedSecretCipher {
  readonly cipher: SecretCipher;
  readonly source: KeyRingSource;
}

type KeyConfig = Pick<Config, 'MFA_ENCRYPTION_KEY' | 'MFA_PREVIOUS_ENCRYPTION_KEYS' | 'DATA_DIR'>;

export function resolveSecretCipher(config: KeyConfig): ResolvedSecretCipher {
  const previous = config.MFA_PREVIOUS_ENCRYPTION_KEYS;
  if (config.MFA_ENCRYPTION_KEY) {
    return {
      cipher: new SecretCipher({ current: config.MFA_ENCRYPTION_KEY, previous }),
      source: { kind: 'environment' },
    };
  }
  const path = join(config.DATA_DIR, KEY_FILE_NAME);
  const { key, created } = readOrCreateKeyFile(path);
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

/**
 * Reads the key file, or creates it: the key is written to a private temporary
 * file (mode 0600, flushed to disk: losing it loses every secret) and then
 * hard-linked into place, which fails if the name exists. So two processes
 * starting at once on a fresh DATA_DIR both end up with whichever key was
 * linked first, and nobody ever reads a half-written file.
 */
function readOrCreateKeyFile(path: string): { key: string; created: boolean } {
  const existing = readKeyFile(path);
  if (existing !== null) return { key: existing, created: false };

  mkdirSync(dirname(path), { recursive: true });
  const key = generateEncryptionKey();
  const temporary = `${path}.${process.pid}.${randomUUID()}.tmp`;
  try {
    const fd = openSync(temporary, 'wx', 0o600);
    try {
      writeSync(fd, `${key}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(temporary, path);
    } catch (error) {
      if (codeOf(error) !== 'EEXIST') throw error;
      const theirs = readKeyFile(path);
      if (theirs === null) throw error;
      return { key: theirs, created: false };
    }
    syncDirectory(dirname(path));
    return { key, created: true };
  } catch (error) {
    throw new Error(`cannot create the development key file ${path}: ${codeOf(error) ?? 'failed'}`);
  } finally {
    rmSync(temporary, { force: true });
  }
}

function readKeyFile(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return null;
    throw new Error(`cannot read the development key file ${path}: ${codeOf(error) ?? 'failed'}`);
  }
}

/** Makes the new directory entry durable too; not every file system allows it, and then the file's own fsync must do. */
function syncDirectory(directory: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(directory, 'r');
    fsyncSync(fd);
  } catch {
    // best effort
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function codeOf(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
