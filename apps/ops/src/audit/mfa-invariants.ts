/**
 * The MFA rules `verify` holds every stored MFA event to, on the state
 * replayed up to it (the decider's own `evolve`): what the decider would
 * have refused, had it been asked, and so what no event may show: a step
 * accepted twice or out of the clock's reach, an activation without two
 * consecutive steps, a lock not honoured, an mfaToken or a recovery code
 * used twice.
 */
import { assertNever } from '#contracts';
import { ACCEPTED_DRIFT_STEPS } from '../../../mfa/src/mfa-enrollment/mfa-enrollment.decider.js';
import type { MfaEnrollmentEvent } from '../../../mfa/src/mfa-enrollment/mfa-enrollment.events.js';
import { isLocked, type MfaEnrollmentState } from '../../../mfa/src/mfa-enrollment/mfa-enrollment.state.js';
import { timeStep } from '../../../mfa/src/totp/totp.js';

export function mfaInvariantBreaks(state: MfaEnrollmentState, event: MfaEnrollmentEvent): string[] {
  switch (event.type) {
    case 'MfaActivated': {
      const [first, second] = event.data.steps;
      return [
        ...(second === first + 1
          ? []
          : [`activated without two consecutive time-steps (steps ${first} and ${second})`]),
        ...(state.status === 'pending' && state.enrollment.enrollmentId === event.data.enrollmentId
          ? [...stepBreaks(state, first, event.data.activatedAt), ...stepBreaks(state, second, event.data.activatedAt)]
          : [`activated enrollment ${event.data.enrollmentId}, which is not the pending one`]),
      ];
    }
    case 'MfaChallengeVerified':
      return [
        ...(state.status === 'active' ? stepBreaks(state, event.data.step, event.data.verifiedAt) : []),
        ...(state.status === 'active' ? [] : ['a code verified without an active enrollment']),
        ...lockBreaks(state, event.data.verifiedAt, 'a code verified'),
        ...challengeBreaks(state, event.data.challengeId),
      ];
    case 'RecoveryCodeUsed':
      return [
        ...(state.status === 'active' ? recoveryCodeBreaks(state, event.data.index) : []),
        ...(state.status === 'active' ? [] : ['a recovery code used without an active enrollment']),
        ...lockBreaks(state, event.data.usedAt, 'a recovery code accepted'),
        ...challengeBreaks(state, event.data.challengeId),
      ];
    case 'MfaDeactivated': {
      const { by, deactivatedAt } = event.data;
      if (by.kind === 'admin') return []; // an admin reset is the way out of a lock
      return [
        // No step: confirmed with a recovery code (its RecoveryCodeUsed is checked on its own).
        ...(state.status === 'active' && by.step !== null ? stepBreaks(state, by.step, deactivatedAt) : []),
        ...lockBreaks(state, deactivatedAt, 'deactivated with a code'),
      ];
    }
    case 'MfaEnrollmentStarted':
    case 'MfaChallengeFailed':
    case 'RecoveryCodesGenerated':
    case 'MfaSecretResealed':
      return [];
    default:
      return assertNever(event);
  }
}

/** A step accepted at `at`: never one already used, never one out of the clock's reach. */
function stepBreaks(state: MfaEnrollmentState & { status: 'pending' | 'active' }, step: number, at: string): string[] {
  const breaks: string[] = [];
  if (state.lastUsedStep !== null && step <= state.lastUsedStep) {
    breaks.push(`time-step ${step} accepted again (steps up to ${state.lastUsedStep} were used)`);
  }
  const current = timeStep(new Date(at), state.enrollment.period);
  if (Math.abs(step - current) > ACCEPTED_DRIFT_STEPS) {
    breaks.push(
      `time-step ${step} accepted at ${at}, whose step is ${current} (more than ${ACCEPTED_DRIFT_STEPS} away)`,
    );
  }
  return breaks;
}

/** A login's mfaToken verifies one code, once: the id is remembered for as long as the token can be valid. */
function challengeBreaks(state: MfaEnrollmentState, challengeId: string | null): string[] {
  if (challengeId === null || !state.usedChallenges.some(({ id }) => id === challengeId)) return [];
  return [`mfaToken ${challengeId} accepted again (it had verified a code already)`];
}

/** Each recovery code of the current set once, and only codes of that set. */
function recoveryCodeBreaks(state: MfaEnrollmentState & { status: 'active' }, index: number): string[] {
  const set = state.recoveryCodes;
  if (set === null || !Number.isSafeInteger(index) || !(index in set.hashes)) {
    return [`recovery code ${index} accepted, which is not in the current set`];
  }
  return set.usedIndexes.includes(index) ? [`recovery code ${index} accepted again`] : [];
}

function lockBreaks(state: MfaEnrollmentState, at: string, what: string): string[] {
  if (!isLocked(state, new Date(at))) return [];
  const until = state.requiresAdminReset ? 'until an admin reset' : `until ${state.lockedUntil}`;
  return [`${what} at ${at} while locked ${until}`];
}
