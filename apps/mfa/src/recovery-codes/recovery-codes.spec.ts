import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RECOVERY_CODE_ALPHABET, recoveryCode } from '#contracts';
import { generateEncryptionKey, SecretCipher } from '../totp/secret-cipher.js';
import { newRecoveryCodes } from './new-recovery-codes.js';
import { RECOVERY_CODE_KEY_INFO, RecoveryCodeHasher, RecoveryCodeKeyMissing } from './recovery-code-hasher.js';

const DISPLAYED = /^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/;

describe('newRecoveryCodes', () => {
  it('makes ten distinct codes written xxxx-xxxx-xxxx-xxxx', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    for (const code of codes) expect(code).toMatch(DISPLAYED);
    expect(new Set(codes).size).toBe(10);
  });

  it("draws every character of Crockford's alphabet and none other (80 bits a code, none wasted)", () => {
    const counts = new Map<string, number>();
    for (const code of newRecoveryCodes(1000)) {
      for (const character of code.replaceAll('-', '').toUpperCase()) {
        counts.set(character, (counts.get(character) ?? 0) + 1);
      }
    }
    expect([...counts.keys()].sort().join('')).toBe(RECOVERY_CODE_ALPHABET);
    // 16,000 draws, 500 expected of each: a biased draw (a modulo, a missing character) shows far outside this.
    for (const count of counts.values()) {
      expect(count).toBeGreaterThan(380);
      expect(count).toBeLessThan(620);
    }
  });
});

describe('recoveryCode (what a person types)', () => {
  it.each([
    ['abcd-efgh-jkmn-pqrs', 'ABCDEFGHJKMNPQRS'],
    ['ABCD EFGH JKMN PQRS', 'ABCDEFGHJKMNPQRS'],
    [' abcdEFGHjkmnPQRS\t', 'ABCDEFGHJKMNPQRS'],
    ['oooo-iiii-llll-0000', '0000111111110000'],
  ])('reads %j as %s', (typed, canonical) => {
    expect(recoveryCode.parse(typed)).toBe(canonical);
  });

  it.each([
    ['too short', 'abcd-efgh-jkmn-pqr'],
    ['too long', 'abcd-efgh-jkmn-pqrs-t'],
    ['a U (not in the alphabet)', 'abcd-efgh-jkmn-pqru'],
    ['punctuation', 'abcd_efgh_jkmn_pqrs'],
    ['empty', ''],
  ])('refuses %s, without quoting it', (_case, typed) => {
    const parsed = recoveryCode.safeParse(typed);
    expect(parsed.success).toBe(false);
    if (typed) expect(JSON.stringify(parsed.error)).not.toContain(typed);
  });
});

describe('RecoveryCodeHasher', () => {
  const key = generateEncryptionKey();
  const hasher = new RecoveryCodeHasher(new SecretCipher({ current: key }));
  const codes = newRecoveryCodes();

  it('finds the place in the set of a code, however it is typed, and nothing for any other', () => {
    const set = hasher.hash('u1', codes);
    expect(set.hashes).toHaveLength(10);
    expect(hasher.indexOf(set, 'u1', codes[7]!)).toBe(7);
    expect(hasher.indexOf(set, 'u1', codes[7]!.toUpperCase().replaceAll('-', ' '))).toBe(7);
    expect(hasher.indexOf(set, 'u1', newRecoveryCodes(1)[0]!)).toBeNull();
    expect(hasher.indexOf(null, 'u1', codes[7]!)).toBeNull();
  });

  it('binds each hash to its user: the same codes hash differently for another, and do not match there', () => {
    const mine = hasher.hash('u1', codes);
    const theirs = hasher.hash('u2', codes);
    expect(theirs.hashes.filter((hash) => mine.hashes.includes(hash))).toEqual([]);
    expect(hasher.indexOf(mine, 'u2', codes[0]!)).toBeNull();
  });

  it('keys the HMAC with a key derived for this purpose, never the ring key itself, and names the ring key', () => {
    const cipher = new SecretCipher({ current: key });
    const set = hasher.hash('u1', codes);
    expect(set.keyId).toBe(cipher.currentKeyId);
    const message = `u1\n${recoveryCode.parse(codes[0]!)}`;
    const withRingKey = createHmac('sha256', Buffer.from(key, 'base64')).update(message).digest('base64url');
    const withDerivedKey = createHmac('sha256', cipher.derivedKey(cipher.currentKeyId, RECOVERY_CODE_KEY_INFO)!)
      .update(message)
      .digest('base64url');
    expect(set.hashes[0]).not.toBe(withRingKey);
    expect(set.hashes[0]).toBe(withDerivedKey);
    expect(cipher.derivedKey(cipher.currentKeyId, 'another purpose')).not.toEqual(
      cipher.derivedKey(cipher.currentKeyId, RECOVERY_CODE_KEY_INFO),
    );
  });

  it('checks a set made under a previous key after a rotation, and makes new sets under the new key', () => {
    const set = hasher.hash('u1', codes);
    const rotated = new RecoveryCodeHasher(new SecretCipher({ current: generateEncryptionKey(), previous: [key] }));
    expect(rotated.indexOf(set, 'u1', codes[3]!)).toBe(3);
    expect(rotated.hash('u1', codes).keyId).not.toBe(set.keyId);
  });

  it('fails loudly, naming the key id only, when the ring no longer holds the key of a set', () => {
    const set = hasher.hash('u1', codes);
    const other = new RecoveryCodeHasher(new SecretCipher({ current: generateEncryptionKey() }));
    expect(() => other.indexOf(set, 'u1', codes[0]!)).toThrow(RecoveryCodeKeyMissing);
    expect(() => other.indexOf(set, 'u1', codes[0]!)).toThrow(set.keyId);
  });
});
