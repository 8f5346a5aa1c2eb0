import { describe, expect, it } from 'vitest';
import { totpAt } from './totp-oracle.js';

describe('the test TOTP oracle', () => {
  // RFC 6238 Appendix B, SHA-1, seed "12345678901234567890" (base32 below), last 6 digits.
  const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
  it.each([
    [59, '287082'],
    [1111111109, '081804'],
    [1111111111, '050471'],
    [1234567890, '005924'],
    [2000000000, '279037'],
  ])('at T=%i gives %s', (seconds, code) => {
    expect(totpAt(secret, Math.floor(seconds / 30))).toBe(code);
  });
});
