import { describe, expect, it } from 'vitest';
import { InvalidEmail, normaliseEmail } from './email.js';

describe('normaliseEmail', () => {
  it('trims and lower-cases', () => {
    expect(normaliseEmail('  Ann.Smith+MFA@Example.ORG\n')).toBe('ann.smith+mfa@example.org');
  });

  it('composes Unicode (NFC) so both spellings of an accent are one address', () => {
    const decomposed = 'Jose\u0301@example.org';
    expect(normaliseEmail(decomposed)).toBe('jos\u00e9@example.org');
  });

  it.each([
    ['empty', ''],
    ['no @', 'ann.example.org'],
    ['two @', 'ann@smith@example.org'],
    ['no local part', '@example.org'],
    ['no domain', 'ann@'],
    ['single-label domain', 'ann@localhost'],
    ['empty domain label', 'ann@example..org'],
    ['trailing dot', 'ann@example.org.'],
    ['inner whitespace', 'ann smith@example.org'],
    ['control character', 'ann\u0000@example.org'],
    ['local part over 64', `${'a'.repeat(65)}@example.org`],
    ['over 254 characters', `ann@${'d'.repeat(250)}.org`],
  ])('refuses %s', (_, raw) => {
    expect(() => normaliseEmail(raw)).toThrow(InvalidEmail);
  });

  it('accepts the longest allowed local part', () => {
    expect(normaliseEmail(`${'a'.repeat(64)}@example.org`)).toHaveLength(76);
  });

  it('does not echo the address in the error (it is personal data)', () => {
    expect(() => normaliseEmail('secret-person@')).toThrow(expect.objectContaining({ code: 'validation_failed' }));
    expect(() => normaliseEmail('secret-person@')).not.toThrow(/secret-person/);
  });
});
