/**
 * Recovery codes are kept only as keyed hashes: HMAC-SHA-256 under a key
 * derived (HKDF, label RECOVERY_CODE_KEY_INFO) from the mfa service's own key
 * ring, the one that seals TOTP secrets. The event records the ring key's id,
 * so a set made before a key rotation stays checkable while that key is among
 * MFA_PREVIOUS_ENCRYPTION_KEYS.
 *
 * Why HMAC is enough, and argon2 (what identity uses for passwords) is not
 * needed: a slow hash exists to make guessing a *human-chosen* secret from its
 * hash expensive, because people pick from a small dictionary. These codes are
 * 80 bits from the CSPRNG, so there is no dictionary: even with the hashes in
 * hand, finding a code takes about 2^79 HMAC computations per code (2^76 for
 * one of a set of ten), far beyond reach at any hashing speed, and argon2's
 * extra factor of ~2^16 adds nothing that matters while costing every login
 * tens of milliseconds and megabytes. The key adds what a plain hash would
 * lack: a copy of the event store alone cannot even test a guess, since the
 * key lives in the configuration, not in the store. Each hash also binds the
 * user id, so a hash copied into another user's stream matches nothing.
 * Comparisons are constant-time, over the whole set.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { recoveryCode } from '#contracts';
import type { RecoveryCodeHashes } from '../mfa-enrollment/mfa-enrollment.events.js';
import { SecretCipher } from '../totp/secret-cipher.js';

/** The HKDF `info` of the recovery-code HMAC key: no other use of the key ring derives this one. */
export const RECOVERY_CODE_KEY_INFO = 'totp-mfa recovery-code hmac v1';

/** A set's hashes name a key the ring no longer holds: an operator dropped a previous key still in use. */
export class RecoveryCodeKeyMissing extends Error {
  override readonly name = 'RecoveryCodeKeyMissing';
  constructor(readonly keyId: string) {
    super(`recovery codes are hashed under key ${keyId}, which is not in the key ring`);
  }
}

@Injectable()
export class RecoveryCodeHasher {
  private readonly keys = new Map<string, Buffer>();

  constructor(private readonly cipher: SecretCipher) {}

  /** The hashes of a new set (codes in any form a person could type), under the ring's current key. */
  hash(userId: string, codes: readonly string[]): RecoveryCodeHashes {
    const keyId = this.cipher.currentKeyId;
    return { keyId, hashes: codes.map((code) => this.digest(keyId, userId, code).toString('base64url')) };
  }

  /** The place in `set` of the hash `typed` matches (used or not), or null: no set, or no match. */
  indexOf(set: RecoveryCodeHashes | null, userId: string, typed: string): number | null {
    if (set === null) return null;
    const candidate = this.digest(set.keyId, userId, typed);
    let match: number | null = null;
    set.hashes.forEach((hash, index) => {
      const stored = Buffer.from(hash, 'base64url');
      // Every hash is compared, so the time taken does not tell which one matched.
      if (stored.length === candidate.length && timingSafeEqual(stored, candidate) && match === null) match = index;
    });
    return match;
  }

  private digest(keyId: string, userId: string, code: string): Buffer {
    return createHmac('sha256', this.keyOf(keyId))
      .update(`${userId}\n${recoveryCode.parse(code)}`)
      .digest();
  }

  private keyOf(keyId: string): Buffer {
    const known = this.keys.get(keyId);
    if (known) return known;
    const derived = this.cipher.derivedKey(keyId, RECOVERY_CODE_KEY_INFO);
    if (!derived) throw new RecoveryCodeKeyMissing(keyId);
    this.keys.set(keyId, derived);
    return derived;
  }
}
