/**
 * The events of stream `mfa-<userId>`, in their current shape (what the codec
 * decodes whatever version was stored; it also owns the payloads'
 * `schemaVersion`, so none is declared here). Payloads never carry a plaintext secret
 * or a code: the secret is sealed before it enters an event, and a time-step
 * number (what is recorded instead of a code) reveals nothing about the secret.
 *
 * Timestamps are ISO-8601 strings, so events and the state folded from them are
 * plain JSON.
 *
 * Payloads are type aliases, not interfaces, so they stay assignable to the
 * event store's `Record<string, unknown>`.
 */
import type { SealedSecret } from '../totp/secret-cipher.js';
import type { TotpAlgorithm, TotpDigits } from '../totp/totp.js';

/** Where an attempt came from; audit only. */
export type ChallengeContext = {
  readonly ip: string;
  readonly userAgent: string;
};

/** What a code was checked for. Only 'login' and 'deactivation' failures count toward lock-out. */
export type ChallengePurpose = 'login' | 'activation' | 'deactivation';

/**
 * Why a check failed. 'replayed' (a correct code of an already used step) is
 * told apart only here, for audit; callers answer it exactly like 'invalid_code'.
 */
export type ChallengeFailureReason = 'invalid_code' | 'replayed' | 'locked';

/** What an enrollment is: its sealed secret and TOTP parameters, as started, then kept in state. */
export type EnrollmentSettings = {
  readonly enrollmentId: string;
  readonly secret: SealedSecret;
  readonly algorithm: TotpAlgorithm;
  readonly digits: TotpDigits;
  readonly period: number;
  readonly issuer: string;
  /** The account name shown in the app (the user's email). */
  readonly label: string;
};

export type MfaEnrollmentStartedData = EnrollmentSettings & {
  readonly startedAt: string;
  /** After this instant the enrollment can no longer be activated. */
  readonly expiresAt: string;
};

export type MfaActivatedData = {
  readonly enrollmentId: string;
  readonly activatedAt: string;
  /** The two consecutive time-steps whose codes were typed; both are used from now on. */
  readonly steps: readonly [number, number];
};

export type MfaChallengeVerifiedData = {
  /** The time-step of the accepted code; it and every earlier step are used. */
  readonly step: number;
  readonly verifiedAt: string;
  readonly context: ChallengeContext;
};

export type MfaChallengeFailedData = {
  readonly purpose: ChallengePurpose;
  readonly reason: ChallengeFailureReason;
  readonly failedAt: string;
  /**
   * Counted login/deactivation failures in a row after this event. Derived
   * state, recorded for audit; decided next to the decider's `countedFailure`
   * and only copied by evolve.
   */
  readonly consecutiveFailures: number;
  /** The lock in force after this event (set by the failure that reached the limit), or null. Derived, as above. */
  readonly lockedUntil: string | null;
  readonly context: ChallengeContext | null;
};

export type DeactivatedBy =
  | {
      readonly kind: 'user';
      /** The time-step of the code that confirmed the deactivation; it is used. */
      readonly step: number;
      readonly context: ChallengeContext | null;
    }
  | { readonly kind: 'admin'; readonly adminId: string; readonly reason: string };

export type MfaDeactivatedData = {
  readonly deactivatedAt: string;
  readonly by: DeactivatedBy;
};

export type MfaEnrollmentStarted = { readonly type: 'MfaEnrollmentStarted'; readonly data: MfaEnrollmentStartedData };
export type MfaActivated = { readonly type: 'MfaActivated'; readonly data: MfaActivatedData };
export type MfaChallengeVerified = { readonly type: 'MfaChallengeVerified'; readonly data: MfaChallengeVerifiedData };
export type MfaChallengeFailed = { readonly type: 'MfaChallengeFailed'; readonly data: MfaChallengeFailedData };
export type MfaDeactivated = { readonly type: 'MfaDeactivated'; readonly data: MfaDeactivatedData };

export type MfaEnrollmentEvent =
  MfaEnrollmentStarted | MfaActivated | MfaChallengeVerified | MfaChallengeFailed | MfaDeactivated;

export const MFA_STREAM_PREFIX = 'mfa-';

/** The stream of one user's MFA enrollment. */
export const mfaStreamName = (userId: string): string => `${MFA_STREAM_PREFIX}${userId}`;
