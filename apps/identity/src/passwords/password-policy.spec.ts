import { describe, expect, it } from 'vitest';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, WeakPassword, checkPasswordPolicy } from './password-policy.js';

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
    expect(reasonOf('a'.repeat(12))).toBeUndefined();
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
});
