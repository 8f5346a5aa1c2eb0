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
 * - A login names its `mfaToken` (`challengeId`). Once an id has verified a
 *   code it is refused (`invalid_mfa_token`, recording nothing: no code is
 *   checked, so nothing is learnt or counted) for as long as the token can
 *   be valid. A wrong code does not use the id up: the user may retype.
 *   Concurrent uses are decided one after the other by the expected revision.
 * - Lock-out counts failed login, deactivation and regeneration checks. A
 *   failed activation is recorded (purpose 'activation') for audit but neither
 *   counts nor is refused while locked: the user was just shown that secret,
 *   so guessing its codes gains nothing.
 * - Recovery codes: an activation appends `MfaActivated` and the first set's
 *   `RecoveryCodesGenerated` together (one append: never an active enrollment
 *   without its set). At the login a recovery code stands in for a TOTP code
 *   under the same rules: the mfaToken's single use, the lock (checked first),
 *   and a wrong code (`invalid_recovery_code`) or a used one
 *   (`recovery_code_used`) is a counted login failure. A right one is
 *   `RecoveryCodeUsed`, a successful check (clears the counts). Regeneration
 *   needs a current TOTP code, checked like a deactivation's; it appends the
 *   code's `MfaChallengeVerified` (its step is spent) and the new set, which
 *   replaces the old one whole. Only an active enrollment has a set.
 * - A lost phone: the user's own deactivation takes a recovery code instead
 *   of a code (with the confirmation, under the same lock-out), appending the
 *   code's `RecoveryCodeUsed` and `MfaDeactivated` (no step). The user then
 *   enrols the new phone, whose activation brings a new set.
 * - The failure that reaches `maxFailedAttempts` sets a timed lock (answered as
 *   a wrong code; the next attempts are answered 'locked'). Once the lock has
 *   expired the count toward the next lock starts again from zero.
 * - Locks escalate: the nth lock since the last successful check lasts
 *   `lockoutSeconds` × 2^(n-1), at most `maxLockoutSeconds` (300 s, 600 s,
 *   1,200 s ... 24 h by default).
 * - The failure that makes `permanentLockAfter` counted failures since the
 *   last successful check locks the codes until an admin reset (answered as a
 *   wrong code, then 'locked' without an end).
 * - Attempts while locked (timed or until an admin reset) are recorded with
 *   reason 'locked' and neither count nor extend the lock.
 * - Only a successful check (login, or the user's own deactivation) clears the
 *   counts and the escalation; starting an enrollment, activating and an admin
 *   reset leave them and a timed lock in place. An admin reset is the one way
 *   out of a lock until an admin reset, and starts the lock-out afresh.
 * - Reset when nothing is active or pending (an expired enrollment counts as
 *   nothing) records nothing and is not an error: the reset is idempotent.
 * - Resealing (the operator's key rotation) is idempotent too: it records
 *   `MfaSecretResealed` only for the live secret (active, or pending and not
 *   expired) of the very enrollment the handler opened, and only when that
 *   changes the key; anything else records nothing. It neither checks a code
 *   nor touches the lock-out: the user did nothing.
 */
import { assertNever, RECOVERY_CODE_COUNT } from '#contracts';
import type { Decider } from '#event-store';
import { timeStep } from '../totp/time-step.js';
import type {
  Activate,
  Deactivate,
  DeactivateWithRecoveryCode,
  MfaEnrollmentCommand,
  RegenerateRecoveryCodes,
  ResealSecret,
  Reset,
  StartEnrollment,
  VerifyChallenge,
  VerifyRecoveryCode,
} from './mfa-enrollment.commands.js';
import {
  ConfirmationRequired,
  MfaAlreadyActive,
  MfaNotActive,
  MfaTokenUsed,
  NoPendingEnrollment,
} from './mfa-enrollment.errors.js';
import type {
  ChallengeContext,
  ChallengeFailureReason,
  ChallengePurpose,
  LockoutStanding,
  MfaChallengeFailed,
  MfaEnrollmentEvent,
  RecoveryCodeHashes,
  RecoveryCodesGenerated,
  RecoveryCodesReason,
} from './mfa-enrollment.events.js';
import {
  evolve,
  initialState,
  isExpired,
  isLocked,
  liveSecretOf,
  recoveryCodesRemaining,
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
  /** How long the first lock lasts; each further one since the last success lasts twice as long (MFA_LOCKOUT_SECONDS). */
  readonly lockoutSeconds: number;
  /** The longest a timed lock lasts (MFA_LOCKOUT_MAX_SECONDS). */
  readonly maxLockoutSeconds: number;
  /** Counted failures since the last success that lock the codes until an admin reset (MFA_PERMANENT_LOCK_AFTER). */
  readonly permanentLockAfter: number;
};

export const DEFAULT_LOCKOUT_POLICY: LockoutPolicy = Object.freeze({
  maxFailedAttempts: 5,
  lockoutSeconds: 300,
  maxLockoutSeconds: 86_400,
  permanentLockAfter: 100,
});

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
      case 'VerifyRecoveryCode':
        return verifyRecoveryCode(command, state, policy);
      case 'RegenerateRecoveryCodes':
        return regenerateRecoveryCodes(command, state, policy);
      case 'Deactivate':
        return deactivate(command, state, policy);
      case 'DeactivateWithRecoveryCode':
        return deactivateWithRecoveryCode(command, state, policy);
      case 'Reset':
        return reset(command, state);
      case 'ResealSecret':
        return resealSecret(command, state);
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
  assertRecoveryCodes(data.recoveryCodes);
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
    recoveryCodesGenerated(data.recoveryCodes, data.now, 'activation'),
  ];
}

function verifyChallenge(
  { data }: VerifyChallenge,
  state: MfaEnrollmentState,
  policy: LockoutPolicy,
): MfaEnrollmentEvent[] {
  const active = activeOrThrow(state);
  const { now, matchedStep, challengeId, context } = data;
  if (active.usedChallenges.some(({ id }) => id === challengeId)) throw new MfaTokenUsed();
  if (isLocked(active, now)) return [lockedFailure(active, now, 'login', context, challengeId)];
  const refusal = matchedStep === null ? 'invalid_code' : stepRefusal(active, matchedStep, now);
  if (refusal !== null || matchedStep === null) {
    return [countedFailure(active, policy, now, 'login', refusal ?? 'invalid_code', context, challengeId)];
  }
  return [
    {
      type: 'MfaChallengeVerified',
      data: { step: matchedStep, verifiedAt: now.toISOString(), challengeId, context },
    },
  ];
}

function verifyRecoveryCode(
  { data }: VerifyRecoveryCode,
  state: MfaEnrollmentState,
  policy: LockoutPolicy,
): MfaEnrollmentEvent[] {
  const active = activeOrThrow(state);
  const { now, matchedIndex, challengeId, context } = data;
  if (active.usedChallenges.some(({ id }) => id === challengeId)) throw new MfaTokenUsed();
  if (isLocked(active, now)) return [lockedFailure(active, now, 'login', context, challengeId)];
  const refusal = recoveryCodeRefusal(active, matchedIndex);
  if (refusal !== null || matchedIndex === null) {
    return [countedFailure(active, policy, now, 'login', refusal ?? 'invalid_recovery_code', context, challengeId)];
  }
  return [recoveryCodeUsed(active, matchedIndex, now, challengeId, context)];
}

function deactivateWithRecoveryCode(
  { data }: DeactivateWithRecoveryCode,
  state: MfaEnrollmentState,
  policy: LockoutPolicy,
): MfaEnrollmentEvent[] {
  const active = activeOrThrow(state);
  if (data.confirm !== true) throw new ConfirmationRequired();
  const { now, matchedIndex, challengeId, context } = data;
  if (isLocked(active, now)) return [lockedFailure(active, now, 'deactivation', context)];
  const refusal = recoveryCodeRefusal(active, matchedIndex);
  if (refusal !== null || matchedIndex === null) {
    return [countedFailure(active, policy, now, 'deactivation', refusal ?? 'invalid_recovery_code', context)];
  }
  return [
    recoveryCodeUsed(active, matchedIndex, now, challengeId, context),
    { type: 'MfaDeactivated', data: { deactivatedAt: now.toISOString(), by: { kind: 'user', step: null, context } } },
  ];
}

/** Why the code at `matchedIndex` of the set cannot be used, or null if it can. */
function recoveryCodeRefusal(active: ActiveEnrollment, matchedIndex: number | null): ChallengeFailureReason | null {
  const set = active.recoveryCodes;
  if (set === null || matchedIndex === null || !Number.isSafeInteger(matchedIndex) || !(matchedIndex in set.hashes)) {
    return 'invalid_recovery_code';
  }
  return set.usedIndexes.includes(matchedIndex) ? 'recovery_code_used' : null;
}

function recoveryCodeUsed(
  active: ActiveEnrollment,
  index: number,
  now: Date,
  challengeId: string,
  context: ChallengeContext,
): MfaEnrollmentEvent {
  const remaining = recoveryCodesRemaining(active.recoveryCodes) - 1;
  return { type: 'RecoveryCodeUsed', data: { index, usedAt: now.toISOString(), challengeId, context, remaining } };
}

function regenerateRecoveryCodes(
  { data }: RegenerateRecoveryCodes,
  state: MfaEnrollmentState,
  policy: LockoutPolicy,
): MfaEnrollmentEvent[] {
  const active = activeOrThrow(state);
  assertRecoveryCodes(data.recoveryCodes);
  const { now, matchedStep, challengeId, context } = data;
  if (isLocked(active, now)) return [lockedFailure(active, now, 'regeneration', context)];
  const refusal = matchedStep === null ? 'invalid_code' : stepRefusal(active, matchedStep, now);
  if (refusal !== null || matchedStep === null) {
    return [countedFailure(active, policy, now, 'regeneration', refusal ?? 'invalid_code', context)];
  }
  return [
    { type: 'MfaChallengeVerified', data: { step: matchedStep, verifiedAt: now.toISOString(), challengeId, context } },
    recoveryCodesGenerated(data.recoveryCodes, now, 'regenerated'),
  ];
}

function recoveryCodesGenerated(
  { keyId, hashes }: RecoveryCodeHashes,
  now: Date,
  reason: RecoveryCodesReason,
): RecoveryCodesGenerated {
  return {
    type: 'RecoveryCodesGenerated',
    data: { keyId, hashes: [...hashes], generatedAt: now.toISOString(), reason },
  };
}

/** A set the handler made is RECOVERY_CODE_COUNT distinct hashes: anything else is a bug, not a refusal. */
function assertRecoveryCodes({ hashes }: RecoveryCodeHashes): void {
  if (hashes.length !== RECOVERY_CODE_COUNT || new Set(hashes).size !== hashes.length) {
    throw new RangeError(`a recovery code set must be ${RECOVERY_CODE_COUNT} distinct hashes`);
  }
}

function deactivate({ data }: Deactivate, state: MfaEnrollmentState, policy: LockoutPolicy): MfaEnrollmentEvent[] {
  const active = activeOrThrow(state);
  if (data.confirm !== true) throw new ConfirmationRequired();
  if (isLocked(active, data.now)) return [lockedFailure(active, data.now, 'deactivation', data.context)];
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

function resealSecret({ data: { now, resealed } }: ResealSecret, state: MfaEnrollmentState): MfaEnrollmentEvent[] {
  const live = liveSecretOf(state, now);
  if (resealed === null || live === null || live.enrollmentId !== resealed.enrollmentId) return [];
  if (live.secret.keyId === resealed.secret.keyId) return [];
  return [
    {
      type: 'MfaSecretResealed',
      data: { enrollmentId: resealed.enrollmentId, secret: resealed.secret, resealedAt: now.toISOString() },
    },
  ];
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
 * Where the derived state on MfaChallengeFailed (its LockoutStanding) is
 * decided: it follows from the state and the policy, and is recorded on the
 * event (audit sees the counts and the lock as they were at each failure;
 * evolve only copies them). Only `lockoutAfterCountedFailure` computes a new
 * standing; a failure that does not count records the standing unchanged.
 */
function countedFailure(
  state: MfaEnrollmentState,
  policy: LockoutPolicy,
  now: Date,
  purpose: ChallengePurpose,
  reason: ChallengeFailureReason,
  context: ChallengeContext | undefined,
  challengeId: string | null = null,
): MfaChallengeFailed {
  return failed(now, purpose, reason, lockoutAfterCountedFailure(state, policy, now), context, challengeId);
}

/** The standing after one more counted failure at `now`, made while not locked. */
function lockoutAfterCountedFailure(state: LockoutStanding, policy: LockoutPolicy, now: Date): LockoutStanding {
  const lockHasExpired = state.lockedUntil !== null && !isLocked(state, now);
  const consecutiveFailures = (lockHasExpired ? 0 : state.consecutiveFailures) + 1;
  const failuresSinceSuccess = state.failuresSinceSuccess + 1;
  if (failuresSinceSuccess >= policy.permanentLockAfter) {
    return {
      consecutiveFailures,
      failuresSinceSuccess,
      locksSinceSuccess: state.locksSinceSuccess + 1,
      lockedUntil: null,
      requiresAdminReset: true,
    };
  }
  if (consecutiveFailures >= policy.maxFailedAttempts) {
    const locksSinceSuccess = state.locksSinceSuccess + 1;
    const seconds = lockSeconds(policy, locksSinceSuccess);
    return {
      consecutiveFailures,
      failuresSinceSuccess,
      locksSinceSuccess,
      lockedUntil: new Date(now.getTime() + seconds * 1000).toISOString(),
      requiresAdminReset: false,
    };
  }
  return {
    consecutiveFailures,
    failuresSinceSuccess,
    locksSinceSuccess: state.locksSinceSuccess,
    lockedUntil: null,
    requiresAdminReset: false,
  };
}

/** How long the nth timed lock since the last success lasts: doubling from `lockoutSeconds`, capped. */
export function lockSeconds(policy: LockoutPolicy, nth: number): number {
  // 2^52 times any lock is past every cap already; the exponent is bounded so the product stays finite.
  return Math.min(policy.maxLockoutSeconds, policy.lockoutSeconds * 2 ** Math.min(Math.max(nth - 1, 0), 52));
}

function lockedFailure(
  state: MfaEnrollmentState,
  now: Date,
  purpose: ChallengePurpose,
  context: ChallengeContext | undefined,
  challengeId: string | null = null,
): MfaChallengeFailed {
  return failed(now, purpose, 'locked', standingOf(state), context, challengeId);
}

function uncountedFailure(
  state: MfaEnrollmentState,
  now: Date,
  purpose: ChallengePurpose,
  reason: ChallengeFailureReason,
  context: ChallengeContext | undefined,
): MfaChallengeFailed {
  return failed(now, purpose, reason, standingOf(state), context, null);
}

const standingOf = ({
  consecutiveFailures,
  failuresSinceSuccess,
  locksSinceSuccess,
  lockedUntil,
  requiresAdminReset,
}: LockoutStanding): LockoutStanding => ({
  consecutiveFailures,
  failuresSinceSuccess,
  locksSinceSuccess,
  lockedUntil,
  requiresAdminReset,
});

function failed(
  now: Date,
  purpose: ChallengePurpose,
  reason: ChallengeFailureReason,
  standing: LockoutStanding,
  context: ChallengeContext | undefined,
  challengeId: string | null,
): MfaChallengeFailed {
  return {
    type: 'MfaChallengeFailed',
    data: {
      purpose,
      reason,
      failedAt: now.toISOString(),
      ...standing,
      challengeId,
      context: context ?? null,
    },
  };
}

function assertPolicy({
  maxFailedAttempts,
  lockoutSeconds,
  maxLockoutSeconds,
  permanentLockAfter,
}: LockoutPolicy): void {
  const positive = { maxFailedAttempts, lockoutSeconds, maxLockoutSeconds, permanentLockAfter };
  for (const [name, value] of Object.entries(positive)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  }
  if (maxLockoutSeconds < lockoutSeconds) throw new RangeError('maxLockoutSeconds must be at least lockoutSeconds');
}
