/**
 * The MFA write model: what `decide` needs, folded purely from the events.
 * Plain JSON (ISO strings, numbers, null) so it can be snapshotted as is.
 */
import { assertNever, type MfaStatusView } from '#contracts';
import type { EnrollmentSettings, MfaEnrollmentEvent } from './mfa-enrollment.events.js';

/** Replay and lock-out bookkeeping, present whatever the enrollment's status. */
export type ChallengeGuard = {
  /**
   * The highest time-step accepted for the current secret; it and every earlier
   * step are spent. Cleared by a new enrollment: steps are only comparable under
   * one secret and one period, and codes of an old secret mean nothing under a new one.
   */
  readonly lastUsedStep: number | null;
  /** Counted failures (login, deactivation) since the last successful check or the last expired lock. */
  readonly consecutiveFailures: number;
  /** ISO-8601; codes are refused before this instant. May lie in the past (an expired lock). */
  readonly lockedUntil: string | null;
};

export type NoEnrollment = ChallengeGuard & { readonly status: 'none' };

export type PendingEnrollment = ChallengeGuard & {
  readonly status: 'pending';
  readonly enrollment: EnrollmentSettings & { readonly startedAt: string; readonly expiresAt: string };
};

export type ActiveEnrollment = ChallengeGuard & {
  readonly status: 'active';
  readonly enrollment: EnrollmentSettings & { readonly activatedAt: string };
};

export type MfaEnrollmentState = NoEnrollment | PendingEnrollment | ActiveEnrollment;

export const initialState = (): MfaEnrollmentState => ({
  status: 'none',
  lastUsedStep: null,
  consecutiveFailures: 0,
  lockedUntil: null,
});

const spend = (lastUsedStep: number | null, step: number): number =>
  lastUsedStep === null ? step : Math.max(lastUsedStep, step);

export function evolve(state: MfaEnrollmentState, event: MfaEnrollmentEvent): MfaEnrollmentState {
  switch (event.type) {
    case 'MfaEnrollmentStarted': {
      const { enrollmentId, secret, algorithm, digits, period, issuer, label, startedAt, expiresAt } = event.data;
      return {
        status: 'pending',
        enrollment: { enrollmentId, secret, algorithm, digits, period, issuer, label, startedAt, expiresAt },
        lastUsedStep: null,
        consecutiveFailures: state.consecutiveFailures,
        lockedUntil: state.lockedUntil,
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
        lastUsedStep: spend(state.lastUsedStep, Math.max(...event.data.steps)),
        consecutiveFailures: state.consecutiveFailures,
        lockedUntil: state.lockedUntil,
      };
    }
    case 'MfaChallengeVerified':
      return {
        ...state,
        lastUsedStep: spend(state.lastUsedStep, event.data.step),
        consecutiveFailures: 0,
        lockedUntil: null,
      };
    case 'MfaChallengeFailed':
      return { ...state, consecutiveFailures: event.data.consecutiveFailures, lockedUntil: event.data.lockedUntil };
    case 'MfaDeactivated': {
      const { by } = event.data;
      switch (by.kind) {
        case 'user':
          // The user proved possession with a fresh code: a successful check.
          return {
            status: 'none',
            lastUsedStep: spend(state.lastUsedStep, by.step),
            consecutiveFailures: 0,
            lockedUntil: null,
          };
        case 'admin':
          // An admin reset is not a successful check: the counter and any lock stay.
          return {
            status: 'none',
            lastUsedStep: state.lastUsedStep,
            consecutiveFailures: state.consecutiveFailures,
            lockedUntil: state.lockedUntil,
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
      return { status: 'inactive', activatedAt: null };
    case 'pending':
      return isExpired(state, now)
        ? { status: 'inactive', activatedAt: null }
        : { status: 'pending', activatedAt: null };
    case 'active':
      return { status: 'active', activatedAt: state.enrollment.activatedAt };
    default:
      return assertNever(state);
  }
}

export const isExpired = (state: PendingEnrollment, now: Date): boolean =>
  now.getTime() >= Date.parse(state.enrollment.expiresAt);

/** The lock in force at `now`, if any. */
export const activeLock = (state: MfaEnrollmentState, now: Date): string | null =>
  state.lockedUntil !== null && now.getTime() < Date.parse(state.lockedUntil) ? state.lockedUntil : null;
