/**
 * TOTP (RFC 6238) for the MFA service: secret generation, codes, matching a
 * code to its time-step, the otpauth:// URI and its QR code.
 *
 * The parameters (algorithm, digits, period) travel with every call because
 * they are stored per enrollment; the defaults are what every authenticator app
 * understands. Codes are computed by otplib's HOTP over an explicit counter (the
 * time-step), with node:crypto underneath (`nodeCryptoPlugin`).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { generateSync, ScureBase32Plugin, type HashAlgorithm } from 'otplib';
import QRCode from 'qrcode';
import { nodeCryptoPlugin } from './node-crypto-plugin.js';
import { timeStep as stepOf } from './time-step.js';

export type TotpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';
export type TotpDigits = 6 | 7 | 8;

export interface TotpParameters {
  readonly algorithm: TotpAlgorithm;
  readonly digits: TotpDigits;
  /** Seconds per time-step. */
  readonly period: number;
}

export const DEFAULT_TOTP_PARAMETERS: TotpParameters = Object.freeze({ algorithm: 'SHA1', digits: 6, period: 30 });

/** RFC 4226 (requirement R6) recommends a 160-bit shared secret. */
export const SECRET_BYTES = 20;

/** RFC 6238 §5.2: one step of clock drift either way. */
export const DEFAULT_WINDOW = 1;

/** The secret itself is malformed (not base32): a stored value is broken, not a user mistake. */
export class InvalidTotpSecret extends Error {
  override readonly name = 'InvalidTotpSecret';
  constructor() {
    super('TOTP secret is not valid base32');
  }
}

/** A parameter outside what the service supports; the message names the parameter, never the secret. */
export class InvalidTotpParameters extends Error {
  override readonly name = 'InvalidTotpParameters';
}

const base32 = new ScureBase32Plugin();

const OTPLIB_ALGORITHM: Readonly<Record<TotpAlgorithm, HashAlgorithm>> = {
  SHA1: 'sha1',
  SHA256: 'sha256',
  SHA512: 'sha512',
};

/** A fresh 160-bit secret from the CSPRNG, base32 (RFC 4648) without padding. */
export function generateSecret(): string {
  return base32.encode(new Uint8Array(randomBytes(SECRET_BYTES)), { padding: false });
}

/** RFC 6238's T = floor((unixTime - T0) / X) with T0 = 0. */
export function timeStep(now: Date, period: number): number {
  assertPeriod(period);
  if (!Number.isFinite(now.getTime())) throw new InvalidTotpParameters('now is not a valid date');
  return stepOf(now, period);
}

export interface CodeForStepInput {
  readonly secret: string;
  readonly step: number;
  readonly algorithm: TotpAlgorithm;
  readonly digits: TotpDigits;
}

/** The code of one time-step (HOTP with the step as counter). */
export function codeForStep({ secret, step, algorithm, digits }: CodeForStepInput): string {
  return computeCode(decodeSecret(secret), step, algorithm, digits);
}

export interface CodeAtInput extends TotpParameters {
  readonly secret: string;
  readonly now: Date;
}

/** The code an authenticator app shows at `now`. */
export function codeAt({ secret, now, algorithm, digits, period }: CodeAtInput): string {
  return codeForStep({ secret, step: timeStep(now, period), algorithm, digits });
}

export interface MatchStepInput extends TotpParameters {
  readonly secret: string;
  /** As typed by the user; must be exactly `digits` ASCII digits. */
  readonly code: string;
  readonly now: Date;
  /** Steps of drift accepted either side of the current one. */
  readonly window?: number;
}

/**
 * The time-step in [current - window, current + window] whose code equals
 * `code`, or null. Every step of the window is computed and compared in
 * constant time whatever matches, so the timing tells nothing about which step
 * (if any) matched. Should one code belong to two steps of the window (a 1 in
 * 10^digits coincidence), the later step is returned: with "each step at most
 * once, increasing", that also burns the earlier one, so the same code cannot
 * be accepted a second time.
 */
export function matchStep({
  secret,
  code,
  now,
  algorithm,
  digits,
  period,
  window = DEFAULT_WINDOW,
}: MatchStepInput): number | null {
  assertDigits(digits);
  if (!Number.isSafeInteger(window) || window < 0 || window > 10) {
    throw new InvalidTotpParameters('window must be an integer between 0 and 10');
  }
  if (typeof code !== 'string' || !isDigits(code, digits)) return null;

  const key = decodeSecret(secret);
  const given = Buffer.from(code, 'ascii');
  const current = timeStep(now, period);
  let matched: number | null = null;
  for (let step = current - window; step <= current + window; step += 1) {
    if (step < 0) continue;
    const expected = Buffer.from(computeCode(key, step, algorithm, digits), 'ascii');
    // Both are `digits` ASCII digits, so the lengths agree and timingSafeEqual cannot throw.
    if (timingSafeEqual(expected, given)) matched = step;
  }
  return matched;
}

export interface OtpauthUriInput extends TotpParameters {
  /** Shown as the account's provider; must not contain ':'. */
  readonly issuer: string;
  /** The account name, the user's email; must not contain ':'. */
  readonly label: string;
  /** Base32, as shown for manual entry. */
  readonly secret: string;
}

/**
 * Google Authenticator Key Uri Format:
 * `otpauth://totp/Issuer:label?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30`.
 * Each part is percent-encoded (spaces as %20, never '+'); the parameters are
 * always written, defaults included, so no app has to guess.
 */
export function otpauthUri({ issuer, label, secret, algorithm, digits, period }: OtpauthUriInput): string {
  for (const [name, value] of [
    ['issuer', issuer],
    ['label', label],
  ] as const) {
    if (value.trim() === '') throw new InvalidTotpParameters(`${name} must not be empty`);
    // The format separates issuer and account name with ':' (or %3A); neither may hold one.
    if (value.includes(':')) throw new InvalidTotpParameters(`${name} must not contain ':'`);
  }
  assertAlgorithm(algorithm);
  assertDigits(digits);
  assertPeriod(period);
  decodeSecret(secret);
  const encodedIssuer = encodeURIComponent(issuer);
  const query = [
    `secret=${secret}`,
    `issuer=${encodedIssuer}`,
    `algorithm=${algorithm}`,
    `digits=${digits}`,
    `period=${period}`,
  ].join('&');
  return `otpauth://totp/${encodedIssuer}:${encodeURIComponent(label)}?${query}`;
}

/** The URI as a PNG QR code, `data:image/png;base64,...`. */
export async function qrCodeDataUrl(uri: string): Promise<string> {
  return QRCode.toDataURL(uri, { type: 'image/png', errorCorrectionLevel: 'M', margin: 2, width: 256 });
}

function computeCode(key: Uint8Array, step: number, algorithm: TotpAlgorithm, digits: TotpDigits): string {
  assertAlgorithm(algorithm);
  assertDigits(digits);
  if (!Number.isSafeInteger(step) || step < 0) throw new InvalidTotpParameters('step must be a non-negative integer');
  return generateSync({
    strategy: 'hotp',
    secret: key,
    counter: step,
    algorithm: OTPLIB_ALGORITHM[algorithm],
    digits,
    crypto: nodeCryptoPlugin,
  });
}

function decodeSecret(secret: string): Uint8Array {
  // Strict RFC 4648 alphabet, upper case, no padding: exactly what generateSecret produces.
  if (typeof secret !== 'string' || !/^[A-Z2-7]+$/.test(secret)) throw new InvalidTotpSecret();
  try {
    return base32.decode(secret);
  } catch {
    throw new InvalidTotpSecret();
  }
}

function isDigits(code: string, digits: number): boolean {
  if (code.length !== digits) return false;
  for (let i = 0; i < code.length; i += 1) {
    const c = code.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

function assertAlgorithm(algorithm: TotpAlgorithm): void {
  if (!Object.hasOwn(OTPLIB_ALGORITHM, algorithm))
    throw new InvalidTotpParameters('algorithm must be SHA1, SHA256 or SHA512');
}

function assertDigits(digits: number): void {
  if (digits !== 6 && digits !== 7 && digits !== 8) throw new InvalidTotpParameters('digits must be 6, 7 or 8');
}

function assertPeriod(period: number): void {
  if (!Number.isSafeInteger(period) || period < 1 || period > 3600) {
    throw new InvalidTotpParameters('period must be an integer number of seconds between 1 and 3600');
  }
}
