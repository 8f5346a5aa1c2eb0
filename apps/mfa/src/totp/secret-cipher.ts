/**
 * Encryption of TOTP secrets at rest: AES-256-GCM under a key ring (the
 * current key encrypts; previous keys still decrypt, so keys can rotate without
 * rewriting history). The associated data binds a ciphertext to its owner (the
 * user id), so a sealed secret copied into another user's stream does not
 * decrypt.
 *
 * Errors name the key id at most: an id is a truncated SHA-256 of the key,
 * which identifies it without revealing it.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/** A secret as it may be stored or put into an event: every field is base64 except the key id. */
export interface SealedSecret {
  readonly keyId: string;
  readonly iv: string;
  readonly ciphertext: string;
  readonly tag: string;
}

export interface SecretKeyRing {
  /** Base64 of 32 random bytes; encrypts everything new. */
  readonly current: string;
  /** Retired keys, still accepted for decryption. */
  readonly previous?: readonly string[];
}

export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const ALGORITHM = 'aes-256-gcm';

/** A configured key is unusable; `which` says which one ('current', 'previous[1]'), never its value. */
export class InvalidEncryptionKey extends Error {
  override readonly name = 'InvalidEncryptionKey';
  constructor(
    readonly which: string,
    problem: string,
  ) {
    super(`encryption key ${which}: ${problem}`);
  }
}

export type SecretDecryptionFailure = 'unknown_key' | 'malformed' | 'authentication_failed';

/** A sealed secret could not be opened: its key is not in the ring, it is malformed, tampered, or not this owner's. */
export class SecretDecryptionFailed extends Error {
  override readonly name = 'SecretDecryptionFailed';
  constructor(
    readonly reason: SecretDecryptionFailure,
    readonly keyId: string,
  ) {
    super(DECRYPTION_MESSAGES[reason](keyId));
  }
}

const DECRYPTION_MESSAGES: Readonly<Record<SecretDecryptionFailure, (keyId: string) => string>> = {
  unknown_key: (keyId) => `sealed secret uses key ${keyId}, which is not in the key ring`,
  malformed: (keyId) => `sealed secret (key ${keyId}) is malformed`,
  authentication_failed: (keyId) =>
    `sealed secret (key ${keyId}) failed authentication: tampered, or sealed for another owner`,
};

/** The public name of a key: the first 16 hex characters of its SHA-256. */
export function keyIdOf(key: Uint8Array): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** A fresh key in the configuration format (base64 of 32 CSPRNG bytes). */
export function generateEncryptionKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

export class SecretCipher {
  private readonly keys: ReadonlyMap<string, Buffer>;
  readonly currentKeyId: string;

  constructor(ring: SecretKeyRing) {
    const current = parseKey(ring.current, 'current');
    this.currentKeyId = keyIdOf(current);
    const keys = new Map<string, Buffer>([[this.currentKeyId, current]]);
    (ring.previous ?? []).forEach((encoded, index) => {
      const key = parseKey(encoded, `previous[${index}]`);
      keys.set(keyIdOf(key), key);
    });
    this.keys = keys;
  }

  /** The ids this ring can decrypt, current first. */
  get keyIds(): readonly string[] {
    return [...this.keys.keys()];
  }

  /** `aad` is bound to the ciphertext (use the owner's user id); `decrypt` must be given the same. */
  encrypt(plaintext: string, aad: string): SealedSecret {
    const key = this.keys.get(this.currentKeyId)!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return {
      keyId: this.currentKeyId,
      iv: iv.toString('base64'),
      ciphertext: ciphertext.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
    };
  }

  decrypt(sealed: SealedSecret, aad: string): string {
    const keyId = typeof sealed?.keyId === 'string' ? sealed.keyId : '?';
    const key = this.keys.get(keyId);
    if (!key) throw new SecretDecryptionFailed('unknown_key', keyId);
    const iv = decodeBase64(sealed.iv);
    const tag = decodeBase64(sealed.tag);
    const ciphertext = decodeBase64(sealed.ciphertext);
    if (iv?.length !== IV_BYTES || tag?.length !== TAG_BYTES || !ciphertext) {
      throw new SecretDecryptionFailed('malformed', keyId);
    }
    try {
      const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      // node's message ("Unsupported state or unable to authenticate data") says no more than this.
      throw new SecretDecryptionFailed('authentication_failed', keyId);
    }
  }

  /**
   * A 32-byte key for another purpose than sealing secrets, derived from the
   * ring's key `keyId` with HKDF-SHA-256 and `info` naming the purpose (one
   * label per purpose: a derived key is useless for any other, and leaks
   * nothing of the ring key). Undefined if the ring does not hold `keyId`.
   */
  derivedKey(keyId: string, info: string): Buffer | undefined {
    const key = this.keys.get(keyId);
    return key && Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), info, KEY_BYTES));
  }

  /** Whether a sealed secret is under a retired key (worth re-sealing under the current one). */
  isStale(sealed: SealedSecret): boolean {
    return sealed.keyId !== this.currentKeyId;
  }
}

const CANONICAL_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function parseKey(encoded: unknown, which: string): Buffer {
  if (typeof encoded !== 'string') throw new InvalidEncryptionKey(which, 'must be a base64 string');
  // Tolerate the newline a key file or a shell heredoc leaves behind, nothing else.
  const trimmed = encoded.trim();
  if (trimmed === '') throw new InvalidEncryptionKey(which, 'is empty');
  if (!CANONICAL_BASE64.test(trimmed)) {
    throw new InvalidEncryptionKey(which, `is not base64 (expected ${KEY_BYTES} bytes encoded as 44 characters)`);
  }
  const key = Buffer.from(trimmed, 'base64');
  if (key.length !== KEY_BYTES) {
    throw new InvalidEncryptionKey(which, `decodes to ${key.length} bytes, expected ${KEY_BYTES}`);
  }
  return key;
}

function decodeBase64(value: unknown): Buffer | null {
  if (typeof value !== 'string' || !CANONICAL_BASE64.test(value)) return null;
  return Buffer.from(value, 'base64');
}
