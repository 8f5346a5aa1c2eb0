/**
 * The MFA write model: what `decide` needs, folded purely from the events.
 * Plain JSON (ISO strings, numbers, booleans, null, arrays) so it can be snapshotted as is.
 */
import { assertNever, MFA_TOKEN_TTL_SECONDS, type MfaStatusView } from '#contracts';
import type { SealedSecret } from '../totp/secret-cipher.js';
import type {
  EnrollmentSettings,
  LockoutStanding,
  MfaEnrollmentEvent,
  RecoveryCodeHashes,
} from './mfa-enrollment.events.js';

/**
 * How long after its successful use an `mfaToken` id is remembered: the
 * token's lifetime (it was issued before it was used, so it expires sooner)
 * plus a minute for the gateway's clock running ahead of this service's.
 */
export const USED_CHALLENGE_RETENTION_SECONDS = MFA_TOKEN_TTL_SECONDS + 60;

/** An `mfaToken` id that verified a code, and until when it must be refused. */
export type UsedChallenge = { readonly id: string; readonly until: string };

/** Replay, lock-out and single-use bookkeeping, present whatever the enrollment's status. */
export type ChallengeGuard = LockoutStanding & {
  /**
   * The highest time-step accepted for the current secret; it and every earlier
   * step are spent. Cleared by a new enrollment: steps are only comparable under
   * one secret and one period, and codes of an old secret mean nothing under a new one.
   */
  readonly lastUsedStep: number | null;
  /**
   * The ids of `mfaTokens` that verified a code and may still be valid. Bounded:
   * an id is dropped once its token has expired (by the time of the next
   * success), and each success needs a step of its own, so at most about
   * a dozen are held.
   */
  readonly usedChallenges: readonly UsedChallenge[];
};

export type NoEnrollment = ChallengeGuard & { readonly status: 'none' };

export type PendingEnrollment = ChallengeGuard & {
  readonly status: 'pending';
  readonly enrollment: EnrollmentSettings & { readonly startedAt: string; readonly expiresAt: string };
};

/** The recovery codes of an active enrollment: their hashes, and which of them are used up. */
export type RecoveryCodeSet = RecoveryCodeHashes & { readonly usedIndexes: readonly number[] };

export type ActiveEnrollment = ChallengeGuard & {
  readonly status: 'active';
  readonly enrollment: EnrollmentSettings & { readonly activatedAt: string };
  /**
   * Only an active enrollment has recovery codes: a deactivation, an admin
   * reset or a new enrollment forgets them. Null: activated before recovery
   * codes existed (no set until the user asks for one).
   */
  readonly recoveryCodes: RecoveryCodeSet | null;
};

export type MfaEnrollmentState = NoEnrollment | PendingEnrollment | ActiveEnrollment;

/** No failure counted, no lock: after a successful check, and at the start. */
const CLEAR_STANDING: LockoutStanding = Object.freeze({
  consecutiveFailures: 0,
  failuresSinceSuccess: 0,
  locksSinceSuccess: 0,
  lockedUntil: null,
  requiresAdminReset: false,
});

export const initialState = (): MfaEnrollmentState => ({
  status: 'none',
  ...CLEAR_STANDING,
  lastUsedStep: null,
  usedChallenges: [],
});

const spend = (lastUsedStep: number | null, step: number): number =>
  lastUsedStep === null ? step : Math.max(lastUsedStep, step);

/** The guard alone, to carry it into a state of another status. */
const guardOf = (state: MfaEnrollmentState): ChallengeGuard => ({
  consecutiveFailures: state.consecutiveFailures,
  failuresSinceSuccess: state.failuresSinceSuccess,
  locksSinceSuccess: state.locksSinceSuccess,
  lockedUntil: state.lockedUntil,
  requiresAdminReset: state.requiresAdminReset,
  lastUsedStep: state.lastUsedStep,
  usedChallenges: state.usedChallenges,
});

/** The ids still to refuse at `now` (the time of the event being applied), plus `id` if given. */
function rememberChallenge(used: readonly UsedChallenge[], id: string | null, now: string): readonly UsedChallenge[] {
  const at = Date.parse(now);
  const current = used.filter(({ until }) => Date.parse(until) > at);
  if (id === null) return current;
  return [...current, { id, until: new Date(at + USED_CHALLENGE_RETENTION_SECONDS * 1000).toISOString() }];
}

export function evolve(state: MfaEnrollmentState, event: MfaEnrollmentEvent): MfaEnrollmentState {
  switch (event.type) {
    case 'MfaEnrollmentStarted': {
      const { enrollmentId, secret, algorithm, digits, period, issuer, label, startedAt, expiresAt } = event.data;
      return {
        status: 'pending',
        enrollment: { enrollmentId, secret, algorithm, digits, period, issuer, label, startedAt, expiresAt },
        ...guardOf(state),
        lastUsedStep: null,
      };
    }
    case 'MfaActivated': {
      // Only a pending enrollment with this id can become active; anything else
      // is a stream the decider would never have written, and is ignored.
      if (state.status !== 'pending' || state.enrollment.enrollmentId !== event.data.enrollmentId) return state;
      const { startedAt: _startedAt, expiresAt: _expiresAt, ...settings } = state.enrollment;
      return {
        status: 'active',
        enrollment: { ...settings, activatedAt: event.data.activatedAt },
        ...guardOf(state),
        lastUsedStep: spend(state.lastUsedStep, Math.max(...event.data.steps)),
        recoveryCodes: null,
      };
    }
    case 'RecoveryCodesGenerated': {
      // A set belongs to an active enrollment (appended with its activation, or replacing its set).
      if (state.status !== 'active') return state;
      const { keyId, hashes } = event.data;
      return { ...state, recoveryCodes: { keyId, hashes, usedIndexes: [] } };
    }
    case 'RecoveryCodeUsed': {
      // A successful check like a verified TOTP code: the standing is cleared and the mfaToken used up.
      const checked = {
        ...state,
        ...CLEAR_STANDING,
        usedChallenges: rememberChallenge(state.usedChallenges, event.data.challengeId, event.data.usedAt),
      };
      if (checked.status !== 'active' || checked.recoveryCodes === null) return checked;
      const { usedIndexes } = checked.recoveryCodes;
      if (usedIndexes.includes(event.data.index)) return checked;
      return {
        ...checked,
        recoveryCodes: { ...checked.recoveryCodes, usedIndexes: [...usedIndexes, event.data.index] },
      };
    }
    case 'MfaChallengeVerified':
      return {
        ...state,
        ...CLEAR_STANDING,
        lastUsedStep: spend(state.lastUsedStep, event.data.step),
        usedChallenges: rememberChallenge(state.usedChallenges, event.data.challengeId, event.data.verifiedAt),
      };
    case 'MfaChallengeFailed': {
      // The standing was decided with the failure (see LockoutStanding): copied, never recomputed.
      const { consecutiveFailures, failuresSinceSuccess, locksSinceSuccess, lockedUntil, requiresAdminReset } =
        event.data;
      return {
        ...state,
        consecutiveFailures,
        failuresSinceSuccess,
        locksSinceSuccess,
        lockedUntil,
        requiresAdminReset,
      };
    }
    case 'MfaSecretResealed': {
      // The same secret under another key: only the enrollment it was resealed for takes it.
      const { enrollmentId, secret } = event.data;
      switch (state.status) {
        case 'none':
          return state;
        case 'pending':
          if (state.enrollment.enrollmentId !== enrollmentId) return state;
          return { ...state, enrollment: { ...state.enrollment, secret } };
        case 'active':
          if (state.enrollment.enrollmentId !== enrollmentId) return state;
          return { ...state, enrollment: { ...state.enrollment, secret } };
        default:
          return assertNever(state);
      }
    }
    case 'MfaDeactivated': {
      const { by } = event.data;
      switch (by.kind) {
        case 'user':
          // The user proved possession with a fresh code: a successful check.
          return {
            status: 'none',
            ...guardOf(state),
            ...CLEAR_STANDING,
            lastUsedStep: by.step === null ? state.lastUsedStep : spend(state.lastUsedStep, by.step),
          };
        case 'admin':
          // An admin reset is not a successful check: counts and a timed lock stay.
          // It is, though, the one way out of a lock until an admin reset, and
          // then the lock-out starts afresh (the admin has checked who the user
          // is, and the codes guessed were codes of the secret now gone).
          return {
            status: 'none',
            ...guardOf(state),
            ...(state.requiresAdminReset ? CLEAR_STANDING : {}),
          };
        default:
          return assertNever(by);
      }
    }
    default:
      return assertNever(event);
  }
}

/** The state after `events`, from the initial one. */
export const stateFrom = (events: readonly MfaEnrollmentEvent[]): MfaEnrollmentState =>
  events.reduce(evolve, initialState());

/** What a user or admin sees; an enrollment past its expiry reads as inactive. */
export function statusOf(state: MfaEnrollmentState, now: Date): MfaStatusView {
  switch (state.status) {
    case 'none':
      return { status: 'inactive', activatedAt: null, recoveryCodesRemaining: null };
    case 'pending':
      return {
        status: isExpired(state, now) ? 'inactive' : 'pending',
        activatedAt: null,
        recoveryCodesRemaining: null,
      };
    case 'active':
      return {
        status: 'active',
        activatedAt: state.enrollment.activatedAt,
        recoveryCodesRemaining: recoveryCodesRemaining(state.recoveryCodes),
      };
    default:
      return assertNever(state);
  }
}

/** The recovery codes a typed one is checked against: only an active enrollment has them. */
export const recoveryCodesOf = (state: MfaEnrollmentState): RecoveryCodeSet | null =>
  state.status === 'active' ? state.recoveryCodes : null;

/** The unused codes of a set (none without one). */
export const recoveryCodesRemaining = (set: RecoveryCodeSet | null): number =>
  set === null ? 0 : set.hashes.length - set.usedIndexes.length;

/**
 * The sealed secret a code can still be checked against at `now`, with its
 * enrollment: an active enrollment's, or a pending one's until it expires.
 * Null: none (what `ops reencrypt` leaves alone).
 */
export function liveSecretOf(
  state: MfaEnrollmentState,
  now: Date,
): { readonly enrollmentId: string; readonly secret: SealedSecret } | null {
  switch (state.status) {
    case 'none':
      return null;
    case 'pending':
      return isExpired(state, now)
        ? null
        : { enrollmentId: state.enrollment.enrollmentId, secret: state.enrollment.secret };
    case 'active':
      return { enrollmentId: state.enrollment.enrollmentId, secret: state.enrollment.secret };
    default:
      return assertNever(state);
  }
}

export const isExpired = (state: PendingEnrollment, now: Date): boolean =>
  now.getTime() >= Date.parse(state.enrollment.expiresAt);

/** Whether codes are refused at `now`: until an admin reset, or before the end of a timed lock. */
export const isLocked = (state: LockoutStanding, now: Date): boolean =>
  state.requiresAdminReset || (state.lockedUntil !== null && now.getTime() < Date.parse(state.lockedUntil));
