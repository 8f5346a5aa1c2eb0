/**
 * What the MFA handlers ask of the aggregate. The handler decrypts the secret
 * and turns every typed code into the time-step it matches (totp.matchStep with
 * window ACCEPTED_DRIFT_STEPS), or null; the decider sees only steps and `now`,
 * never a secret or a code.
 */
import type { ChallengeContext, EnrollmentSettings } from './mfa-enrollment.events.js';

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

/** An administrator clears a user's MFA (lost phone). */
export type Reset = {
  readonly type: 'Reset';
  readonly data: {
    readonly now: Date;
    readonly adminId: string;
    readonly reason: string;
  };
};

export type MfaEnrollmentCommand = StartEnrollment | Activate | VerifyChallenge | Deactivate | Reset;
