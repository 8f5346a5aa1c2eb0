import { Injectable } from '@nestjs/common';
import { assertNever } from '#contracts';
import { ACCEPTED_DRIFT_STEPS } from '../mfa-enrollment/mfa-enrollment.decider.js';
import type { MfaEnrollmentState } from '../mfa-enrollment/mfa-enrollment.state.js';
import { SecretCipher } from './secret-cipher.js';
import { matchStep } from './totp.js';

/**
 * The handler's half of a code check: open the enrollment's sealed secret
 * (bound to the user id) and find the time-step a typed code belongs to, so
 * the decider sees steps, never a secret or a code.
 */
@Injectable()
export class CodeMatcher {
  constructor(private readonly cipher: SecretCipher) {}

  /** The step `code` matches at `now` (±ACCEPTED_DRIFT_STEPS), or null: a wrong code, or no secret to check it against. */
  stepOf(state: MfaEnrollmentState, userId: string, code: string, now: Date): number | null {
    switch (state.status) {
      case 'none':
        return null;
      case 'pending':
      case 'active': {
        const { secret, algorithm, digits, period } = state.enrollment;
        const plaintext = this.cipher.decrypt(secret, userId);
        return matchStep({ secret: plaintext, code, now, algorithm, digits, period, window: ACCEPTED_DRIFT_STEPS });
      }
      default:
        return assertNever(state);
    }
  }
}
