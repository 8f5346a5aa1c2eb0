/**
 * What the MFA handlers ask of the aggregate. The handler decrypts the secret
 * and turns every typed code into the time-step it matches (totp.matchStep with
 * window ACCEPTED_DRIFT_STEPS), or null; the decider sees only steps and `now`,
 * never a secret or a code. Recovery codes alike: the handler makes a new set's
 * keyed hashes, and finds which hash of the set a typed recovery code matches.
 */
import type { SealedSecret } from '../totp/secret-cipher.js';
import type { ChallengeContext, EnrollmentSettings, RecoveryCodeHashes } from './mfa-enrollment.events.js';

export type StartEnrollment = {
  readonly type: 'StartEnrollment';
  /** The secret is sealed by the handler (AAD: the user id) before it reaches the decider. */
  readonly data: EnrollmentSettings & {
    readonly now: Date;
    /** How long the enrollment can be activated. */
    readonly ttlSeconds: number;
  };
};

export type Activate = {
  readonly type: 'Activate';
  readonly data: {
    readonly now: Date;
    /** The steps matched by code1 and code2, in the order typed. */
    readonly steps: readonly [number | null, number | null];
    /** The first set of recovery codes, hashed; the codes themselves are answered by the handler. */
    readonly recoveryCodes: RecoveryCodeHashes;
    readonly context?: ChallengeContext;
  };
};

export type VerifyChallenge = {
  readonly type: 'VerifyChallenge';
  readonly data: {
    readonly now: Date;
    readonly matchedStep: number | null;
    /** The login's `mfaToken` id: one successful verification per id. */
    readonly challengeId: string;
    readonly context: ChallengeContext;
  };
};

/** The login's second factor with a recovery code instead of a TOTP code. */
export type VerifyRecoveryCode = {
  readonly type: 'VerifyRecoveryCode';
  readonly data: {
    readonly now: Date;
    /** The place in the current set of the hash the typed code matches (used or not), or null. */
    readonly matchedIndex: number | null;
    /** The login's `mfaToken` id: one successful verification per id, whichever factor. */
    readonly challengeId: string;
    readonly context: ChallengeContext;
  };
};

/** A current TOTP code replaces the recovery codes with a new set. */
export type RegenerateRecoveryCodes = {
  readonly type: 'RegenerateRecoveryCodes';
  readonly data: {
    readonly now: Date;
    readonly matchedStep: number | null;
    readonly recoveryCodes: RecoveryCodeHashes;
    /** A challenge of its own (no mfaToken is involved), recorded on the verification. */
    readonly challengeId: string;
    readonly context: ChallengeContext;
  };
};

export type Deactivate = {
  readonly type: 'Deactivate';
  readonly data: {
    readonly now: Date;
    readonly matchedStep: number | null;
    /** Must be exactly `true` (the ticked box). */
    readonly confirm: boolean;
    readonly context?: ChallengeContext;
  };
};

/** The user turns MFA off with a recovery code instead of a code: the phone is lost, a new one is to be enrolled. */
export type DeactivateWithRecoveryCode = {
  readonly type: 'DeactivateWithRecoveryCode';
  readonly data: {
    readonly now: Date;
    /** As for VerifyRecoveryCode: the place in the set of the hash the typed code matches, or null. */
    readonly matchedIndex: number | null;
    /** Must be exactly `true` (the ticked box). */
    readonly confirm: boolean;
    /** A challenge of its own (no mfaToken is involved), recorded with the code's use. */
    readonly challengeId: string;
    readonly context: ChallengeContext;
  };
};

/** An administrator clears a user's MFA (lost phone). */
export type Reset = {
  readonly type: 'Reset';
  readonly data: {
    readonly now: Date;
    readonly adminId: string;
    readonly reason: string;
  };
};

/**
 * The operator's key rotation (`ops reencrypt`, secret-resealing/): the handler
 * opened the secret of the state it decides on and sealed it again under the
 * ring's current key (AAD: the user id). Null: that state holds no secret under
 * another key (none in use, or already under the current one), nothing to do.
 */
export type ResealSecret = {
  readonly type: 'ResealSecret';
  readonly data: {
    readonly now: Date;
    readonly resealed: { readonly enrollmentId: string; readonly secret: SealedSecret } | null;
  };
};

export type MfaEnrollmentCommand =
  | StartEnrollment
  | Activate
  | VerifyChallenge
  | VerifyRecoveryCode
  | RegenerateRecoveryCodes
  | Deactivate
  | DeactivateWithRecoveryCode
  | Reset
  | ResealSecret;
