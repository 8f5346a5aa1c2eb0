import { createHmac } from 'node:crypto';

/**
 * An independent RFC 6238 implementation (SHA-1, 6 digits, 30 s) for tests,
 * playing the authenticator app: it shares no code with the product's TOTP.
 */
export function totpAt(base32Secret: string, step: number): string {
  const key = decodeBase32(base32Secret);
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const hmac = createHmac('sha1', key).update(counter).digest();
  const offset = hmac[hmac.length - 1]! & 0x0f;
  const binary = hmac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 1_000_000).padStart(6, '0');
}

export const currentStep = (now = Date.now()): number => Math.floor(now / 1000 / 30);

/** Waits until the current 30-second step is later than `step`. */
export async function waitForStepAfter(step: number): Promise<void> {
  while (currentStep() <= step) await new Promise((resolve) => setTimeout(resolve, 200));
}

function decodeBase32(input: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (const char of input.replace(/=+$/, '').toUpperCase()) {
    const index = alphabet.indexOf(char);
    if (index < 0) throw new Error('not base32');
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

/** The current step, once at least `marginMs` remain in it (so a code computed now is still current when it arrives). */
export async function settledStep(marginMs = 3000): Promise<number> {
  const intoStep = Date.now() % 30_000;
  if (30_000 - intoStep < marginMs) await new Promise((resolve) => setTimeout(resolve, 30_000 - intoStep + 50));
  return currentStep();
}
