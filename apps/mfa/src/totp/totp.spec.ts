import { createHmac } from 'node:crypto';
import { ScureBase32Plugin } from 'otplib';
import { describe, expect, it } from 'vitest';
import {
  codeAt,
  codeForStep,
  DEFAULT_TOTP_PARAMETERS,
  generateSecret,
  InvalidTotpParameters,
  InvalidTotpSecret,
  matchStep,
  otpauthUri,
  qrCodeDataUrl,
  SECRET_BYTES,
  timeStep,
  type TotpAlgorithm,
} from './totp.js';

const base32 = new ScureBase32Plugin();
const base32Of = (ascii: string): string => base32.encode(new TextEncoder().encode(ascii), { padding: false });
const atSeconds = (seconds: number): Date => new Date(seconds * 1000);

/** RFC 6238 Appendix B: the seeds are ASCII, sized to each hash (20, 32, 64 bytes). */
const RFC_SEEDS: Record<TotpAlgorithm, string> = {
  SHA1: base32Of('12345678901234567890'),
  SHA256: base32Of('12345678901234567890123456789012'),
  SHA512: base32Of('1234567890123456789012345678901234567890123456789012345678901234'),
};

const RFC_VECTORS: ReadonlyArray<readonly [seconds: number, step: number, algorithm: TotpAlgorithm, code: string]> = [
  [59, 0x1, 'SHA1', '94287082'],
  [59, 0x1, 'SHA256', '46119246'],
  [59, 0x1, 'SHA512', '90693936'],
  [1111111109, 0x23523ec, 'SHA1', '07081804'],
  [1111111109, 0x23523ec, 'SHA256', '68084774'],
  [1111111109, 0x23523ec, 'SHA512', '25091201'],
  [1111111111, 0x23523ed, 'SHA1', '14050471'],
  [1111111111, 0x23523ed, 'SHA256', '67062674'],
  [1111111111, 0x23523ed, 'SHA512', '99943326'],
  [1234567890, 0x273ef07, 'SHA1', '89005924'],
  [1234567890, 0x273ef07, 'SHA256', '91819424'],
  [1234567890, 0x273ef07, 'SHA512', '93441116'],
  [2000000000, 0x3f940aa, 'SHA1', '69279037'],
  [2000000000, 0x3f940aa, 'SHA256', '90698825'],
  [2000000000, 0x3f940aa, 'SHA512', '38618901'],
  [20000000000, 0x27bc86aa, 'SHA1', '65353130'],
  [20000000000, 0x27bc86aa, 'SHA256', '77737706'],
  [20000000000, 0x27bc86aa, 'SHA512', '47863826'],
];

describe('RFC 6238 Appendix B test vectors', () => {
  it.each(RFC_VECTORS)('T=%i: step %i, %s → %s', (seconds, step, algorithm, code) => {
    const secret = RFC_SEEDS[algorithm];
    const now = atSeconds(seconds);
    expect(timeStep(now, 30)).toBe(step);
    expect(codeAt({ secret, now, algorithm, digits: 8, period: 30 })).toBe(code);
    expect(codeForStep({ secret, step, algorithm, digits: 8 })).toBe(code);
    expect(matchStep({ secret, code, now, algorithm, digits: 8, period: 30, window: 0 })).toBe(step);
    expect(matchStep({ secret, code, now, algorithm, digits: 8, period: 30 })).toBe(step);
  });

  it('6 digits are the last 6 of the RFC 4226 value (SHA1 at T=59 → 287082)', () => {
    expect(codeAt({ secret: RFC_SEEDS.SHA1, now: atSeconds(59), ...DEFAULT_TOTP_PARAMETERS })).toBe('287082');
  });

  it('computes the same code as a hand-rolled RFC 4226 HOTP over node:crypto', () => {
    const key = Buffer.from('12345678901234567890', 'ascii');
    for (const step of [0, 1, 9, 123_456, 59_000_000]) {
      const counter = Buffer.alloc(8);
      counter.writeBigUInt64BE(BigInt(step));
      const mac = createHmac('sha1', key).update(counter).digest();
      const offset = mac[mac.length - 1]! & 0x0f;
      const binary = mac.readUInt32BE(offset) & 0x7fffffff;
      const expected = String(binary % 1_000_000).padStart(6, '0');
      expect(codeForStep({ secret: RFC_SEEDS.SHA1, step, algorithm: 'SHA1', digits: 6 })).toBe(expected);
    }
  });
});

describe('generateSecret', () => {
  it('is 160 bits of base32 without padding, different every time', () => {
    const secrets = new Set(Array.from({ length: 50 }, () => generateSecret()));
    expect(secrets.size).toBe(50);
    for (const secret of secrets) {
      expect(secret).toMatch(/^[A-Z2-7]{32}$/); // 20 bytes = 160 bits = 32 base32 characters, no '='
      expect(base32.decode(secret)).toHaveLength(SECRET_BYTES);
    }
  });
});

describe('timeStep', () => {
  it('floors to the step that contains the instant', () => {
    expect(timeStep(new Date(0), 30)).toBe(0);
    expect(timeStep(new Date(29_999), 30)).toBe(0);
    expect(timeStep(new Date(30_000), 30)).toBe(1);
    expect(timeStep(new Date(119_999), 60)).toBe(1);
  });

  it('refuses a period that is not a positive whole number of seconds, and an invalid date', () => {
    expect(() => timeStep(new Date(0), 0)).toThrow(InvalidTotpParameters);
    expect(() => timeStep(new Date(0), 1.5)).toThrow(InvalidTotpParameters);
    expect(() => timeStep(new Date(Number.NaN), 30)).toThrow(InvalidTotpParameters);
  });
});

describe('matchStep', () => {
  const secret = generateSecret();
  const period = 30;
  const now = new Date('2025-03-01T12:00:10Z');
  const current = timeStep(now, period);
  const codeOf = (step: number): string => codeForStep({ secret, step, algorithm: 'SHA1', digits: 6 });
  const match = (code: string, window?: number): number | null =>
    matchStep({ secret, code, now, ...DEFAULT_TOTP_PARAMETERS, ...(window === undefined ? {} : { window }) });

  it('matches the current step', () => {
    expect(match(codeOf(current))).toBe(current);
  });

  it('accepts one step of drift either way (the window edges)', () => {
    expect(match(codeOf(current - 1))).toBe(current - 1);
    expect(match(codeOf(current + 1))).toBe(current + 1);
  });

  it('refuses two steps of drift either way', () => {
    // Guard against a chance collision making the assertion meaningless.
    for (const step of [current - 2, current + 2]) {
      const code = codeOf(step);
      expect([current - 1, current, current + 1].map(codeOf)).not.toContain(code);
      expect(match(code)).toBeNull();
    }
  });

  it('with window 0 only the current step matches', () => {
    expect(match(codeOf(current), 0)).toBe(current);
    expect(match(codeOf(current - 1), 0)).toBeNull();
  });

  it('honours the window at the step boundaries of `now`', () => {
    const firstMillisecond = new Date(current * period * 1000);
    const lastMillisecond = new Date((current + 1) * period * 1000 - 1);
    for (const instant of [firstMillisecond, lastMillisecond]) {
      expect(matchStep({ secret, code: codeOf(current - 1), now: instant, ...DEFAULT_TOTP_PARAMETERS })).toBe(
        current - 1,
      );
      expect(matchStep({ secret, code: codeOf(current + 2), now: instant, ...DEFAULT_TOTP_PARAMETERS })).toBeNull();
    }
  });

  it.each([
    ['too short', (code: string) => code.slice(1)],
    ['too long', (code: string) => `${code}0`],
    ['with a space', (code: string) => `${code.slice(0, 3)} ${code.slice(3, 5)}`],
    ['with a letter', (code: string) => `${code.slice(0, 5)}a`],
    ['with a sign', (code: string) => `+${code.slice(1)}`],
    ['with non-ASCII digits', (code: string) => `${code.slice(0, 5)}٣`],
    ['empty', () => ''],
  ])('refuses a code %s', (_label, mangle) => {
    expect(match(mangle(codeOf(current)))).toBeNull();
  });

  it('refuses a non-string code at run time', () => {
    expect(match(Number(codeOf(current)) as unknown as string)).toBeNull();
  });

  it('uses the stored parameters: an 8-digit SHA256 enrollment is not matched by its SHA1 code', () => {
    const sha256Code = codeForStep({ secret, step: current, algorithm: 'SHA256', digits: 8 });
    expect(matchStep({ secret, code: sha256Code, now, algorithm: 'SHA256', digits: 8, period })).toBe(current);
    const sha1Code = codeForStep({ secret, step: current, algorithm: 'SHA1', digits: 8 });
    expect(sha1Code).not.toBe(sha256Code);
    expect(matchStep({ secret, code: sha1Code, now, algorithm: 'SHA256', digits: 8, period })).not.toBe(current);
  });

  it('uses the stored period', () => {
    const step60 = timeStep(now, 60);
    const code = codeForStep({ secret, step: step60, algorithm: 'SHA1', digits: 6 });
    expect(matchStep({ secret, code, now, algorithm: 'SHA1', digits: 6, period: 60 })).toBe(step60);
  });

  it('throws a typed error without the secret for a malformed secret', () => {
    const broken = `${secret.slice(0, 10)}1${secret.slice(11)}`; // '1' is outside the base32 alphabet
    let thrown: unknown;
    try {
      matchStep({ secret: broken, code: '123456', now, ...DEFAULT_TOTP_PARAMETERS });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidTotpSecret);
    expect((thrown as Error).message).not.toContain(broken);
  });

  it('refuses unsupported parameters', () => {
    const code = codeOf(current);
    expect(() => matchStep({ secret, code, now, algorithm: 'MD5' as TotpAlgorithm, digits: 6, period })).toThrow(
      InvalidTotpParameters,
    );
    expect(() => matchStep({ secret, code, now, algorithm: 'SHA1', digits: 9 as 6, period })).toThrow(
      InvalidTotpParameters,
    );
    expect(() => matchStep({ secret, code, now, ...DEFAULT_TOTP_PARAMETERS, window: -1 })).toThrow(
      InvalidTotpParameters,
    );
  });
});

describe('otpauthUri', () => {
  const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

  it('follows the Key Uri Format with every parameter written', () => {
    expect(otpauthUri({ issuer: 'Acme', label: 'ann@example.com', secret, ...DEFAULT_TOTP_PARAMETERS })).toBe(
      `otpauth://totp/Acme:ann%40example.com?secret=${secret}&issuer=Acme&algorithm=SHA1&digits=6&period=30`,
    );
  });

  it('percent-encodes issuer and label (spaces as %20, reserved characters escaped)', () => {
    const uri = otpauthUri({
      issuer: 'Acme & Co',
      label: 'ann+mfa@example.com',
      secret,
      algorithm: 'SHA256',
      digits: 8,
      period: 60,
    });
    const url = new URL(uri);
    expect(url.protocol).toBe('otpauth:');
    expect(url.host).toBe('totp');
    expect(url.pathname).toBe('/Acme%20%26%20Co:ann%2Bmfa%40example.com');
    expect(uri).not.toContain('+');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      secret,
      issuer: 'Acme & Co',
      algorithm: 'SHA256',
      digits: '8',
      period: '60',
    });
    const [issuer, label] = decodeURIComponent(url.pathname.slice(1)).split(':');
    expect([issuer, label]).toEqual(['Acme & Co', 'ann+mfa@example.com']);
  });

  it('refuses an issuer or label with a colon, or empty', () => {
    expect(() => otpauthUri({ issuer: 'Acme:EU', label: 'a@b.c', secret, ...DEFAULT_TOTP_PARAMETERS })).toThrow(
      InvalidTotpParameters,
    );
    expect(() => otpauthUri({ issuer: 'Acme', label: 'x:y@b.c', secret, ...DEFAULT_TOTP_PARAMETERS })).toThrow(
      InvalidTotpParameters,
    );
    expect(() => otpauthUri({ issuer: ' ', label: 'a@b.c', secret, ...DEFAULT_TOTP_PARAMETERS })).toThrow(
      InvalidTotpParameters,
    );
  });

  it('refuses a secret that is not base32', () => {
    expect(() =>
      otpauthUri({ issuer: 'Acme', label: 'a@b.c', secret: 'not-base32', ...DEFAULT_TOTP_PARAMETERS }),
    ).toThrow(InvalidTotpSecret);
  });
});

describe('qrCodeDataUrl', () => {
  it('is a base64 PNG data URL', async () => {
    const uri = otpauthUri({
      issuer: 'Acme',
      label: 'ann@example.com',
      secret: generateSecret(),
      ...DEFAULT_TOTP_PARAMETERS,
    });
    const dataUrl = await qrCodeDataUrl(uri);
    const prefix = 'data:image/png;base64,';
    expect(dataUrl.startsWith(prefix)).toBe(true);
    const png = Buffer.from(dataUrl.slice(prefix.length), 'base64');
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.length).toBeGreaterThan(100);
  });
});
