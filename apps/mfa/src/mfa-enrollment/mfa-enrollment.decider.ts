/**
 * The MfaEnrollment aggregate as a pure decider over stream `mfa-<userId>`:
 * no Nest, no I/O, no clock (`now` comes with every command), no secret and no
 * code (the handler has already turned codes into matched time-steps).
 *
 * `decide` either throws a typed refusal that records nothing (MfaAlreadyActive,
 * NoPendingEnrollment, MfaNotActive, ConfirmationRequired) or returns the events
 * to append. A wrong code is not thrown: it is an `MfaChallengeFailed` event that
 * must be appended (it drives lock-out and audit); `rejectionOf(events)` then
 * gives the refusal to answer with.
 *
 * Rules where a choice was open:
 * - Every matched step is re-checked against `now` (within ACCEPTED_DRIFT_STEPS
 *   of the current step) and must be above `lastUsedStep`.
 * - Lock-out counts failed login and deactivation checks only. A failed
 *   activation is recorded (purpose 'activation') for audit but neither counts
 *   nor is refused while locked: the user was just shown that secret, so
 *   guessing its codes gains nothing.
 * - The failure that reaches `maxFailedAttempts` sets the lock (answered as a
 *   wrong code; the next attempts are answered 'locked'). Attempts while locked
 *   are recorded with reason 'locked' and neither count nor extend the lock.
 *   Once the lock has expired the count starts again from zero.
 * - Only a successful check (login, or the user's own deactivation) clears the
 *   count; starting an enrollment, activating and an admin reset leave it and
 *   any lock in place.
 * - Reset when nothing is active or pending (an expired enrollment counts as
 *   nothing) records nothing and is not an error: the reset is idempotent.
 */
import { assertNever } from '#contracts';
import type { Decider } from '#event-store';
import { timeStep } from '../totp/time-step.js';
import type {
  Activate,
  Deactivate,
  MfaEnrollmentCommand,
  Reset,
  StartEnrollment,
  VerifyChallenge,
} from './mfa-enrollment.commands.js';
import { ConfirmationRequired, MfaAlreadyActive, MfaNotActive, NoPendingEnrollment } from './mfa-enrollment.errors.js';
import type {
  ChallengeContext,
  ChallengeFailureReason,
  ChallengePurpose,
  MfaChallengeFailed,
  MfaEnrollmentEvent,
} from './mfa-enrollment.events.js';
import {
  activeLock,
  evolve,
  initialState,
  isExpired,
  statusOf,
  type ActiveEnrollment,
  type MfaEnrollmentState,
  type PendingEnrollment,
} from './mfa-enrollment.state.js';

/** RFC 6238 drift tolerance: one step either way. The handler's matchStep window must be this. */
export const ACCEPTED_DRIFT_STEPS = 1;

export type LockoutPolicy = {
  /** Counted failures in a row that lock the codes (MFA_MAX_FAILED_ATTEMPTS). */
  readonly maxFailedAttempts: number;
  /** How long the lock lasts (MFA_LOCKOUT_SECONDS). */
  readonly lockoutSeconds: number;
};

export const DEFAULT_LOCKOUT_POLICY: LockoutPolicy = Object.freeze({ maxFailedAttempts: 5, lockoutSeconds: 300 });

export function mfaEnrollmentDecider(
  policy: LockoutPolicy = DEFAULT_LOCKOUT_POLICY,
): Decider<MfaEnrollmentCommand, MfaEnrollmentEvent, MfaEnrollmentState> {
  assertPolicy(policy);
  const decide = (command: MfaEnrollmentCommand, state: MfaEnrollmentState): MfaEnrollmentEvent[] => {
    switch (command.type) {
      case 'StartEnrollment':
        return startEnrollment(command, state);
      case 'Activate':
        return activate(command, state);
      case 'VerifyChallenge':
        return verifyChallenge(command, state, policy);
      case 'Deactivate':
        return deactivate(command, state, policy);
      case 'Reset':
        return reset(command, state);
      default:
        return assertNever(command);
    }
  };
  return { decide, evolve, initialState };
}

function startEnrollment({ data }: StartEnrollment, state: MfaEnrollmentState): MfaEnrollmentEvent[] {
  switch (state.status) {
    case 'active':
      throw new MfaAlreadyActive();
    case 'none':
    case 'pending': // a new enrollment replaces the pending one (and its secret)
      break;
    default:
      return assertNever(state);
  }
  if (!Number.isSafeInteger(data.ttlSeconds) || data.ttlSeconds < 1) {
    throw new RangeError('ttlSeconds must be a positive integer');
  }
  const { now, enrollmentId, secret, algorithm, digits, period, issuer, label, ttlSeconds } = data;
  return [
    {
      type: 'MfaEnrollmentStarted',
      data: {
        enrollmentId,
        secret,
        algorithm,
        digits,
        period,
        issuer,
        label,
        startedAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + ttlSeconds * 1000).toISOString(),
      },
    },
  ];
}

function activate({ data }: Activate, state: MfaEnrollmentState): MfaEnrollmentEvent[] {
  const pending = pendingAt(state, data.now);
  const [first, second] = data.steps;
  const refusal: ChallengeFailureReason | null =
    first === null || second === null || second !== first + 1
      ? 'invalid_code'
      : (stepRefusal(pending, first, data.now) ?? stepRefusal(pending, second, data.now));
  if (refusal !== null || first === null || second === null) {
    return [uncountedFailure(state, data.now, 'activation', refusal ?? 'invalid_code', data.context)];
  }
  return [
    {
      type: 'MfaActivated',
      data: {
        enrollmentId: pending.enrollment.enrollmentId,
        activatedAt: data.now.toISOString(),
        steps: [first, second],
      },
    },
  ];
}

function verifyChallenge(
  { data }: VerifyChallenge,
  state: MfaEnrollmentState,
  policy: LockoutPolicy,
): MfaEnrollmentEvent[] {
  const active = activeOrThrow(state);
  if (activeLock(active, data.now) !== null) return [lockedFailure(active, data.now, 'login', data.context)];
  const refusal = data.matchedStep === null ? 'invalid_code' : stepRefusal(active, data.matchedStep, data.now);
  if (refusal !== null || data.matchedStep === null) {
    return [countedFailure(active, policy, data.now, 'login', refusal ?? 'invalid_code', data.context)];
  }
  return [
    {
      type: 'MfaChallengeVerified',
      data: { step: data.matchedStep, verifiedAt: data.now.toISOString(), context: data.context },
    },
  ];
}

function deactivate({ data }: Deactivate, state: MfaEnrollmentState, policy: LockoutPolicy): MfaEnrollmentEvent[] {
  const active = activeOrThrow(state);
  if (data.confirm !== true) throw new ConfirmationRequired();
  if (activeLock(active, data.now) !== null) return [lockedFailure(active, data.now, 'deactivation', data.context)];
  const refusal = data.matchedStep === null ? 'invalid_code' : stepRefusal(active, data.matchedStep, data.now);
  if (refusal !== null || data.matchedStep === null) {
    return [countedFailure(active, policy, data.now, 'deactivation', refusal ?? 'invalid_code', data.context)];
  }
  return [
    {
      type: 'MfaDeactivated',
      data: {
        deactivatedAt: data.now.toISOString(),
        by: { kind: 'user', step: data.matchedStep, context: data.context ?? null },
      },
    },
  ];
}

function reset({ data }: Reset, state: MfaEnrollmentState): MfaEnrollmentEvent[] {
  const { status } = statusOf(state, data.now);
  switch (status) {
    case 'inactive':
      return [];
    case 'pending':
    case 'active':
      return [
        {
          type: 'MfaDeactivated',
          data: {
            deactivatedAt: data.now.toISOString(),
            by: { kind: 'admin', adminId: data.adminId, reason: data.reason },
          },
        },
      ];
    default:
      return assertNever(status);
  }
}

function pendingAt(state: MfaEnrollmentState, now: Date): PendingEnrollment {
  switch (state.status) {
    case 'pending':
      if (isExpired(state, now)) throw new NoPendingEnrollment();
      return state;
    case 'none':
    case 'active':
      throw new NoPendingEnrollment();
    default:
      return assertNever(state);
  }
}

function activeOrThrow(state: MfaEnrollmentState): ActiveEnrollment {
  switch (state.status) {
    case 'active':
      return state;
    case 'none':
    case 'pending':
      throw new MfaNotActive();
    default:
      return assertNever(state);
  }
}

/** Why a matched step cannot be accepted now, or null if it can. */
function stepRefusal(
  state: PendingEnrollment | ActiveEnrollment,
  step: number,
  now: Date,
): ChallengeFailureReason | null {
  const current = timeStep(now, state.enrollment.period);
  if (!Number.isSafeInteger(step) || Math.abs(step - current) > ACCEPTED_DRIFT_STEPS) return 'invalid_code';
  if (state.lastUsedStep !== null && step <= state.lastUsedStep) return 'replayed';
  return null;
}

/*
 * Where the derived state on MfaChallengeFailed is decided: `consecutiveFailures`
 * and `lockedUntil` follow from the state and the policy, and are recorded on
 * the event (audit sees the count and the lock as they were at each failure;
 * evolve only copies them). Only these three functions set them.
 */
function countedFailure(
  state: MfaEnrollmentState,
  policy: LockoutPolicy,
  now: Date,
  purpose: ChallengePurpose,
  reason: ChallengeFailureReason,
  context: ChallengeContext | undefined,
): MfaChallengeFailed {
  const lockHasExpired = state.lockedUntil !== null && activeLock(state, now) === null;
  const consecutiveFailures = (lockHasExpired ? 0 : state.consecutiveFailures) + 1;
  const lockedUntil =
    consecutiveFailures >= policy.maxFailedAttempts
      ? new Date(now.getTime() + policy.lockoutSeconds * 1000).toISOString()
      : null;
  return failed(now, purpose, reason, consecutiveFailures, lockedUntil, context);
}

function lockedFailure(
  state: MfaEnrollmentState,
  now: Date,
  purpose: ChallengePurpose,
  context: ChallengeContext | undefined,
): MfaChallengeFailed {
  return failed(now, purpose, 'locked', state.consecutiveFailures, state.lockedUntil, context);
}

function uncountedFailure(
  state: MfaEnrollmentState,
  now: Date,
  purpose: ChallengePurpose,
  reason: ChallengeFailureReason,
  context: ChallengeContext | undefined,
): MfaChallengeFailed {
  return failed(now, purpose, reason, state.consecutiveFailures, state.lockedUntil, context);
}

function failed(
  now: Date,
  purpose: ChallengePurpose,
  reason: ChallengeFailureReason,
  consecutiveFailures: number,
  lockedUntil: string | null,
  context: ChallengeContext | undefined,
): MfaChallengeFailed {
  return {
    type: 'MfaChallengeFailed',
    data: {
      purpose,
      reason,
      failedAt: now.toISOString(),
      consecutiveFailures,
      lockedUntil,
      context: context ?? null,
    },
  };
}

function assertPolicy({ maxFailedAttempts, lockoutSeconds }: LockoutPolicy): void {
  if (!Number.isSafeInteger(maxFailedAttempts) || maxFailedAttempts < 1) {
    throw new RangeError('maxFailedAttempts must be a positive integer');
  }
  if (!Number.isSafeInteger(lockoutSeconds) || lockoutSeconds < 1) {
    throw new RangeError('lockoutSeconds must be a positive integer');
  }
}
