import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  generateEncryptionKey,
  InvalidEncryptionKey,
  keyIdOf,
  SecretCipher,
  SecretDecryptionFailed,
  type SealedSecret,
} from './secret-cipher.js';

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const USER = 'user-1f3a';

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

/** Flip one bit of a base64 field. */
function flipBit(base64: string, byte = 0): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[byte] = bytes[byte]! ^ 0x01;
  return bytes.toString('base64');
}

describe('SecretCipher', () => {
  const key = generateEncryptionKey();
  const cipher = new SecretCipher({ current: key });

  it('round-trips a secret', () => {
    const sealed = cipher.encrypt(SECRET, USER);
    expect(cipher.decrypt(sealed, USER)).toBe(SECRET);
  });

  it('seals into base64 fields with a 12-byte IV and 16-byte tag, never the plaintext', () => {
    const sealed = cipher.encrypt(SECRET, USER);
    expect(Object.keys(sealed).sort()).toEqual(['ciphertext', 'iv', 'keyId', 'tag']);
    expect(Buffer.from(sealed.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(sealed.tag, 'base64')).toHaveLength(16);
    expect(Buffer.from(sealed.ciphertext, 'base64')).toHaveLength(SECRET.length);
    const json = JSON.stringify(sealed);
    expect(json).not.toContain(SECRET);
    expect(json).not.toContain(key);
  });

  it('uses a fresh IV every time', () => {
    const ivs = new Set(Array.from({ length: 20 }, () => cipher.encrypt(SECRET, USER).iv));
    expect(ivs.size).toBe(20);
  });

  it('names keys by a SHA-256 fingerprint, never by the key', () => {
    const raw = Buffer.from(key, 'base64');
    expect(cipher.currentKeyId).toBe(createHash('sha256').update(raw).digest('hex').slice(0, 16));
    expect(cipher.currentKeyId).toBe(keyIdOf(raw));
    expect(cipher.currentKeyId).toMatch(/^[0-9a-f]{16}$/);
    expect(key).not.toContain(cipher.currentKeyId);
  });

  describe('rotation', () => {
    const oldKey = generateEncryptionKey();
    const newKey = generateEncryptionKey();
    const sealedUnderOld = new SecretCipher({ current: oldKey }).encrypt(SECRET, USER);
    const rotated = new SecretCipher({ current: newKey, previous: [oldKey] });

    it('still decrypts what the previous key sealed', () => {
      expect(rotated.decrypt(sealedUnderOld, USER)).toBe(SECRET);
      expect(rotated.isStale(sealedUnderOld)).toBe(true);
    });

    it('seals new secrets under the new key', () => {
      const sealed = rotated.encrypt(SECRET, USER);
      expect(sealed.keyId).toBe(keyIdOf(Buffer.from(newKey, 'base64')));
      expect(sealed.keyId).not.toBe(sealedUnderOld.keyId);
      expect(rotated.isStale(sealed)).toBe(false);
      expect(rotated.keyIds).toEqual([sealed.keyId, sealedUnderOld.keyId]);
    });

    it('refuses, by key id, once the old key is dropped from the ring', () => {
      const error = thrownBy(() => new SecretCipher({ current: newKey }).decrypt(sealedUnderOld, USER));
      expect(error).toBeInstanceOf(SecretDecryptionFailed);
      expect(error).toMatchObject({ reason: 'unknown_key', keyId: sealedUnderOld.keyId });
      expect((error as Error).message).toContain(sealedUnderOld.keyId);
    });
  });

  describe('tamper detection', () => {
    const sealed = cipher.encrypt(SECRET, USER);
    const tampered: ReadonlyArray<[string, SealedSecret]> = [
      ['ciphertext', { ...sealed, ciphertext: flipBit(sealed.ciphertext, 3) }],
      ['tag', { ...sealed, tag: flipBit(sealed.tag, 15) }],
      ['iv', { ...sealed, iv: flipBit(sealed.iv, 11) }],
      [
        'truncated ciphertext',
        { ...sealed, ciphertext: Buffer.from(sealed.ciphertext, 'base64').subarray(1).toString('base64') },
      ],
    ];

    it.each(tampered)('refuses a changed %s with a message free of secret material', (_field, value) => {
      const error = thrownBy(() => cipher.decrypt(value, USER));
      expect(error).toBeInstanceOf(SecretDecryptionFailed);
      expect(error).toMatchObject({ reason: 'authentication_failed' });
      const message = (error as Error).message;
      for (const material of [SECRET, key, value.ciphertext, value.iv, value.tag])
        expect(message).not.toContain(material);
    });

    it('refuses a ciphertext moved to another user (wrong AAD)', () => {
      const error = thrownBy(() => cipher.decrypt(sealed, 'user-other'));
      expect(error).toBeInstanceOf(SecretDecryptionFailed);
      expect(error).toMatchObject({ reason: 'authentication_failed' });
    });

    it('refuses a sealed value relabelled with another key id of the ring', () => {
      const other = generateEncryptionKey();
      const ring = new SecretCipher({ current: other, previous: [key] });
      const error = thrownBy(() => ring.decrypt({ ...sealed, keyId: ring.currentKeyId }, USER));
      expect(error).toMatchObject({ reason: 'authentication_failed' });
    });

    it.each([
      ['an IV of the wrong size', { ...sealed, iv: randomBytes(16).toString('base64') }],
      ['a tag of the wrong size', { ...sealed, tag: randomBytes(8).toString('base64') }],
      ['a field that is not base64', { ...sealed, ciphertext: '***' }],
      ['a missing field', { keyId: sealed.keyId, iv: sealed.iv, tag: sealed.tag } as unknown as SealedSecret],
    ])('refuses %s as malformed', (_label, value) => {
      const error = thrownBy(() => cipher.decrypt(value, USER));
      expect(error).toBeInstanceOf(SecretDecryptionFailed);
      expect(error).toMatchObject({ reason: 'malformed' });
    });
  });

  describe('key validation', () => {
    it.each([
      ['too short', randomBytes(16).toString('base64'), /decodes to 16 bytes, expected 32/],
      ['too long', randomBytes(33).toString('base64'), /decodes to 33 bytes, expected 32/],
      ['not base64', '!'.repeat(44), /is not base64/],
      ['hex instead of base64', randomBytes(32).toString('hex'), /decodes to 48 bytes|is not base64/],
      ['empty', '', /is empty/],
    ])('refuses a current key %s, without echoing it', (_label, bad, message) => {
      const error = thrownBy(() => new SecretCipher({ current: bad }));
      expect(error).toBeInstanceOf(InvalidEncryptionKey);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toMatch(/^encryption key current: /);
      if (bad.length > 0) expect((error as Error).message).not.toContain(bad);
    });

    it('says which previous key is wrong', () => {
      const error = thrownBy(() => new SecretCipher({ current: key, previous: [generateEncryptionKey(), 'short'] }));
      expect(error).toBeInstanceOf(InvalidEncryptionKey);
      expect(error).toMatchObject({ which: 'previous[1]' });
    });

    it('tolerates surrounding whitespace such as a trailing newline', () => {
      const trimmedRing = new SecretCipher({ current: `${key}\n` });
      expect(trimmedRing.currentKeyId).toBe(cipher.currentKeyId);
      expect(trimmedRing.decrypt(cipher.encrypt(SECRET, USER), USER)).toBe(SECRET);
    });
  });
});
