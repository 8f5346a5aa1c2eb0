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

/**
 * What a code was checked for ('login' also when a recovery code was typed;
 * 'regeneration': a code asking for new recovery codes). All but 'activation'
 * count toward lock-out.
 */
export type ChallengePurpose = 'login' | 'activation' | 'deactivation' | 'regeneration';

/**
 * Why a check failed. 'replayed' (a correct code of an already used step) is
 * told apart only here, for audit; callers answer it exactly like
 * 'invalid_code'. Likewise a recovery code: 'invalid_recovery_code' (none of
 * the set) and 'recovery_code_used' (one of the set, used before: someone
 * else may hold a copy) are both answered 'invalid_code'.
 */
export type ChallengeFailureReason =
  'invalid_code' | 'replayed' | 'locked' | 'invalid_recovery_code' | 'recovery_code_used';

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
  /**
   * The id of the login's `mfaToken`: used up by this success, refused from
   * now on. Null only on events stored before version 2.
   */
  readonly challengeId: string | null;
  readonly context: ChallengeContext;
};

/**
 * Where a user stands in the lock-out after a failed check. Derived state,
 * recorded on every `MfaChallengeFailed` for audit (each failure shows the
 * counts and the lock as they were then); decided by the decider's
 * `lockoutAfterCountedFailure` alone and only copied by evolve, so a change
 * of the lock-out settings never rewrites the past.
 */
export type LockoutStanding = {
  /** Counted login/deactivation failures since the last successful check or the last expired lock. */
  readonly consecutiveFailures: number;
  /** Counted failures since the last successful check: MFA_PERMANENT_LOCK_AFTER of them lock until an admin reset. */
  readonly failuresSinceSuccess: number;
  /** Locks set since the last successful check: the nth lasts 2^(n-1) times MFA_LOCKOUT_SECONDS, capped. */
  readonly locksSinceSuccess: number;
  /** The timed lock in force (set by the failure that reached the limit), or null. */
  readonly lockedUntil: string | null;
  /** Locked whatever the time, until an admin resets the user's MFA. */
  readonly requiresAdminReset: boolean;
};

export type MfaChallengeFailedData = LockoutStanding & {
  readonly purpose: ChallengePurpose;
  readonly reason: ChallengeFailureReason;
  readonly failedAt: string;
  /**
   * The login's `mfaToken` id (purpose 'login'; null otherwise and before
   * version 2), for audit only: a failed code does not use the token up.
   */
  readonly challengeId: string | null;
  readonly context: ChallengeContext | null;
};

export type DeactivatedBy =
  | {
      readonly kind: 'user';
      /**
       * The time-step of the code that confirmed the deactivation; it is used.
       * Null: confirmed with a recovery code instead (phone lost), recorded by
       * the `RecoveryCodeUsed` appended with it.
       */
      readonly step: number | null;
      readonly context: ChallengeContext | null;
    }
  | { readonly kind: 'admin'; readonly adminId: string; readonly reason: string };

export type MfaDeactivatedData = {
  readonly deactivatedAt: string;
  readonly by: DeactivatedBy;
};

/** Why a set of recovery codes was made: with the activation, or on the user's request (replacing the set). */
export type RecoveryCodesReason = 'activation' | 'regenerated';

/**
 * A set of recovery codes as kept: keyed hashes only (see
 * recovery-codes/recovery-code-hasher.ts), never a code.
 */
export type RecoveryCodeHashes = {
  /** The id of the key-ring key the HMAC key was derived from: a set stays checkable after a key rotation. */
  readonly keyId: string;
  /** HMAC-SHA-256 (base64url) of each code, in the order the codes were shown. */
  readonly hashes: readonly string[];
};

export type RecoveryCodesGeneratedData = RecoveryCodeHashes & {
  readonly generatedAt: string;
  readonly reason: RecoveryCodesReason;
};

export type RecoveryCodeUsedData = {
  /** Which code of the current set (its place in `hashes`): used up from now on. */
  readonly index: number;
  readonly usedAt: string;
  /** The login's `mfaToken` id: used up by this success exactly as by a verified TOTP code. */
  readonly challengeId: string;
  readonly context: ChallengeContext;
  /** Unused codes of the set after this one. Derived state, recorded for audit and the user's notification. */
  readonly remaining: number;
};

/**
 * The enrollment's secret sealed anew under the key ring's current key (`ops
 * reencrypt`), so a previous key can be retired: the same secret, the same
 * enrollment, a new ciphertext. Only a secret a code can still be checked
 * against is resealed (an active enrollment's, or a pending one's before it
 * expires). The events before it keep the old ciphertext: resealing is routine
 * rotation, not the answer to a leaked key (that is a reset: a new secret).
 */
export type MfaSecretResealedData = {
  readonly enrollmentId: string;
  readonly secret: SealedSecret;
  readonly resealedAt: string;
};

export type MfaEnrollmentStarted = { readonly type: 'MfaEnrollmentStarted'; readonly data: MfaEnrollmentStartedData };
export type MfaActivated = { readonly type: 'MfaActivated'; readonly data: MfaActivatedData };
export type MfaChallengeVerified = { readonly type: 'MfaChallengeVerified'; readonly data: MfaChallengeVerifiedData };
export type MfaChallengeFailed = { readonly type: 'MfaChallengeFailed'; readonly data: MfaChallengeFailedData };
export type MfaDeactivated = { readonly type: 'MfaDeactivated'; readonly data: MfaDeactivatedData };
export type RecoveryCodesGenerated = {
  readonly type: 'RecoveryCodesGenerated';
  readonly data: RecoveryCodesGeneratedData;
};
export type RecoveryCodeUsed = { readonly type: 'RecoveryCodeUsed'; readonly data: RecoveryCodeUsedData };
export type MfaSecretResealed = { readonly type: 'MfaSecretResealed'; readonly data: MfaSecretResealedData };

export type MfaEnrollmentEvent =
  | MfaEnrollmentStarted
  | MfaActivated
  | MfaChallengeVerified
  | MfaChallengeFailed
  | MfaDeactivated
  | RecoveryCodesGenerated
  | RecoveryCodeUsed
  | MfaSecretResealed;

export const MFA_STREAM_PREFIX = 'mfa-';

/** The stream of one user's MFA enrollment. */
export const mfaStreamName = (userId: string): string => `${MFA_STREAM_PREFIX}${userId}`;
