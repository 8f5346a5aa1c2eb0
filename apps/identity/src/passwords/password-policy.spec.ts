import { describe, expect, it } from 'vitest';
import { loadCommonPasswords } from './common-passwords.js';
import {
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  PasswordTooCommon,
  WeakPassword,
  checkPasswordPolicy,
  preloadCommonPasswords,
} from './password-policy.js';

const reasonOf = (password: string, email?: string): string | undefined => {
  try {
    checkPasswordPolicy(password, email === undefined ? {} : { email });
    return undefined;
  } catch (error) {
    if (!(error instanceof WeakPassword)) throw error;
    return error.reason;
  }
};

describe('checkPasswordPolicy', () => {
  it('accepts 12 characters and refuses 11 as too_short', () => {
    expect(MIN_PASSWORD_LENGTH).toBe(12);
    expect(reasonOf('violet-tract')).toBeUndefined();
    // 'aaaaaaaaaaaa' is long enough, but too common (below).
    expect(() => checkPasswordPolicy('a'.repeat(12))).toThrow(PasswordTooCommon);
    expect(reasonOf('a'.repeat(11))).toBe('too_short');
    expect(reasonOf('')).toBe('too_short');
  });

  it('counts code points, not UTF-16 units: 11 emoji are too short though 22 units long', () => {
    const elevenEmoji = '🔐'.repeat(11);
    expect(elevenEmoji.length).toBe(22);
    expect(reasonOf(elevenEmoji)).toBe('too_short');
    expect(reasonOf('🔐'.repeat(12))).toBeUndefined();
  });

  it('counts a decomposed accent as one character (NFC)', () => {
    const elevenDecomposed = 'e\u0301'.repeat(11);
    expect(reasonOf(elevenDecomposed)).toBe('too_short');
  });

  it('refuses more than the maximum as too_long', () => {
    expect(reasonOf('a'.repeat(MAX_PASSWORD_LENGTH))).toBeUndefined();
    expect(reasonOf('a'.repeat(MAX_PASSWORD_LENGTH + 1))).toBe('too_long');
  });

  it('refuses the email address as password, whatever its case', () => {
    expect(reasonOf('Ann.Smith@Example.org', 'ann.smith@example.org')).toBe('same_as_email');
    expect(reasonOf('ann.smith@example.org!', 'ann.smith@example.org')).toBeUndefined();
  });

  it('is a weak_password domain error whose message names the rule and never the password', () => {
    const password = 'hunter2hunt';
    expect(() => checkPasswordPolicy(password)).toThrow(
      expect.objectContaining({
        code: 'weak_password',
        message: 'password must be at least 12 characters long',
        details: { reason: 'too_short', minLength: 12, maxLength: 1024 },
      }),
    );
    expect(() => checkPasswordPolicy(password)).not.toThrow(/hunter2/);
  });

  describe('screening against common and breached passwords', () => {
    it('uses a list of at least 100,000 passwords, shipped in a package and read offline', () => {
      expect(preloadCommonPasswords().listed).toBeGreaterThanOrEqual(100_000);
    });

    it.each(['password1234', 'PASSWORD1234', 'qwertyuiopasdfgh', '1q2w3e4r5t6y', 'iloveyou1234'])(
      'refuses %s with password_too_common, whatever its case',
      (common) => {
        expect(() => checkPasswordPolicy(common)).toThrow(PasswordTooCommon);
        expect(() => checkPasswordPolicy(common)).toThrow(expect.objectContaining({ code: 'password_too_common' }));
      },
    );

    it('accepts a long password that is on no list', () => {
      expect(() => checkPasswordPolicy('violet tractor hums at noon')).not.toThrow();
    });

    it('answers a short common password for its length first', () => {
      expect(reasonOf('password')).toBe('too_short');
    });

    it('never names the password in the refusal', () => {
      expect(() => checkPasswordPolicy('password1234')).not.toThrow(/password1234/);
    });

    it('keeps only what the length rule lets through, and finds it in any case', () => {
      const list = loadCommonPasswords(MIN_PASSWORD_LENGTH);
      expect(list.has('Password1234')).toBe(true);
      expect(list.has('123456')).toBe(false);
      expect(loadCommonPasswords(1).has('123456')).toBe(true);
    });
  });
});
