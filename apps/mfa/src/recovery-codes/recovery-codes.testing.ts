/** Fixtures for specs that decide on recovery codes without hashing any: a set as the decider sees it. */
import { RECOVERY_CODE_COUNT } from '#contracts';
import type { RecoveryCodeHashes } from '../mfa-enrollment/mfa-enrollment.events.js';

/** Ten distinct stand-ins for keyed hashes, under the key id `keyId`. */
export const recoveryCodeHashes = (label = 'set-1', keyId = '0123456789abcdef'): RecoveryCodeHashes => ({
  keyId,
  hashes: Array.from({ length: RECOVERY_CODE_COUNT }, (_, index) => `${label}-hash-${index}`),
});
