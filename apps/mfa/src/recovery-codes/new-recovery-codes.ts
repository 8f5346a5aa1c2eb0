import { randomInt } from 'node:crypto';
import { RECOVERY_CODE_ALPHABET, RECOVERY_CODE_COUNT, RECOVERY_CODE_LENGTH } from '#contracts';

/**
 * A new set of recovery codes as shown to their owner, once: `xxxx-xxxx-xxxx-xxxx`
 * in lower case (easier to read and type than capitals; any case is accepted
 * back). Each character is drawn uniformly from Crockford's 32 by node's CSPRNG
 * (`randomInt` rejects out-of-range draws rather than taking a modulo), so a
 * code holds 16 × 5 = 80 random bits.
 */
export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, newRecoveryCode);
}

function newRecoveryCode(): string {
  const characters = Array.from(
    { length: RECOVERY_CODE_LENGTH },
    () => RECOVERY_CODE_ALPHABET[randomInt(RECOVERY_CODE_ALPHABET.length)],
  );
  const code = characters.join('').toLowerCase();
  return [0, 4, 8, 12].map((start) => code.slice(start, start + 4)).join('-');
}

/** A set as it crosses the bus, in one sealed field: the string `recoveryCodeList` (libs/contracts) reads back. */
export const asRecoveryCodeList = (codes: readonly string[]): string => codes.join(' ');
