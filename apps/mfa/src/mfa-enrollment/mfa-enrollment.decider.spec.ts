import { describe, expect, it } from 'vitest';
import { MFA_TOKEN_TTL_SECONDS } from '#contracts';
import { deciderSpec } from '#testing';
import { timeStep } from '../totp/time-step.js';
import { recoveryCodeHashes } from '../recovery-codes/recovery-codes.testing.js';
import type { SealedSecret } from '../totp/secret-cipher.js';
import type { MfaEnrollmentCommand } from './mfa-enrollment.commands.js';
import {
  DEFAULT_LOCKOUT_POLICY,
  lockSeconds,
  mfaEnrollmentDecider,
  type LockoutPolicy,
} from './mfa-enrollment.decider.js';
import {
  ConfirmationRequired,
  InvalidCode,
  InvalidCodes,
  MfaAlreadyActive,
  MfaLocked,
  MfaNotActive,
  MfaTokenUsed,
  NoPendingEnrollment,
} from './mfa-enrollment.errors.js';
import type {
  ChallengeContext,
  ChallengeFailureReason,
  ChallengePurpose,
  MfaEnrollmentEvent,
  RecoveryCodeHashes,
  RecoveryCodesReason,
} from './mfa-enrollment.events.js';
import { rejectionOf } from './mfa-enrollment.rejection.js';
import {
  stateFrom,
  statusOf,
  USED_CHALLENGE_RETENTION_SECONDS,
  type MfaEnrollmentState,
} from './mfa-enrollment.state.js';

// ---- fixtures -------------------------------------------------------------

const PERIOD = 30;
/** 5 s into a step, so ±1 step around T0 stays unambiguous. */
const T0 = new Date('2025-06-02T10:00:05.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
const iso = (date: Date): string => date.toISOString();
/** The current step at T0; steps in tests are written relative to it. */
const C = timeStep(T0, PERIOD);

const SEALED: SealedSecret = {
  keyId: '0123456789abcdef',
  iv: 'AAAAAAAAAAAAAAAA',
  ciphertext: 'c2VhbGVk',
  tag: 'AAAAAAAAAAAAAAAAAAAAAA==',
};
const OTHER_SEALED: SealedSecret = { ...SEALED, ciphertext: 'b3RoZXI=' };
const CTX: ChallengeContext = { ip: '203.0.113.7', userAgent: 'vitest' };
const TTL = 600;
/** The id of the mfaToken of the login being decided. */
const LOGIN = 'mfa-token-now';
/** The id of the mfaToken of an earlier login. */
const EARLIER_LOGIN = 'mfa-token-earlier';
/** The recovery codes made with an activation, and a set made later. */
const SET_1 = recoveryCodeHashes('set-1');
const SET_2 = recoveryCodeHashes('set-2');

const { given } = deciderSpec(mfaEnrollmentDecider());
const withPolicy = (policy: LockoutPolicy) => deciderSpec(mfaEnrollmentDecider(policy)).given;

// commands

const start = (now = T0, enrollmentId = 'enr-1', secret = SEALED): MfaEnrollmentCommand => ({
  type: 'StartEnrollment',
  data: {
    now,
    enrollmentId,
    secret,
    algorithm: 'SHA1',
    digits: 6,
    period: PERIOD,
    issuer: 'Acme',
    label: 'ann@example.com',
    ttlSeconds: TTL,
  },
});
const activate = (
  steps: readonly [number | null, number | null],
  now = T0,
  recoveryCodes: RecoveryCodeHashes = SET_1,
): MfaEnrollmentCommand => ({
  type: 'Activate',
  data: { now, steps, recoveryCodes, context: CTX },
});
const useRecoveryCode = (matchedIndex: number | null, now = T0, challengeId = LOGIN): MfaEnrollmentCommand => ({
  type: 'VerifyRecoveryCode',
  data: { now, matchedIndex, challengeId, context: CTX },
});
/** The challenge id a deactivation's handler made up for a recovery code. */
const DEACTIVATION = 'deactivation-challenge';
const deactivateWithRecoveryCode = (matchedIndex: number | null, now = T0, confirm = true): MfaEnrollmentCommand => ({
  type: 'DeactivateWithRecoveryCode',
  data: { now, matchedIndex, confirm, challengeId: DEACTIVATION, context: CTX },
});
/** The challenge id a regeneration's handler made up for its code. */
const REGENERATION = 'regeneration-challenge';
const regenerate = (matchedStep: number | null, now = T0, recoveryCodes = SET_2): MfaEnrollmentCommand => ({
  type: 'RegenerateRecoveryCodes',
  data: { now, matchedStep, recoveryCodes, challengeId: REGENERATION, context: CTX },
});
const verify = (matchedStep: number | null, now = T0, challengeId = LOGIN): MfaEnrollmentCommand => ({
  type: 'VerifyChallenge',
  data: { now, matchedStep, challengeId, context: CTX },
});
const deactivate = (matchedStep: number | null, now = T0, confirm = true): MfaEnrollmentCommand => ({
  type: 'Deactivate',
  data: { now, matchedStep, confirm, context: CTX },
});
const reset = (now = T0): MfaEnrollmentCommand => ({
  type: 'Reset',
  data: { now, adminId: 'admin-9', reason: 'lost phone, identity checked by phone call' },
});

// events

const started = (now = T0, enrollmentId = 'enr-1', secret = SEALED): MfaEnrollmentEvent => ({
  type: 'MfaEnrollmentStarted',
  data: {
    enrollmentId,
    secret,
    algorithm: 'SHA1',
    digits: 6,
    period: PERIOD,
    issuer: 'Acme',
    label: 'ann@example.com',
    startedAt: iso(now),
    expiresAt: iso(new Date(now.getTime() + TTL * 1000)),
  },
});
const activated = (
  steps: readonly [number, number] = [C - 1, C],
  now = T0,
  enrollmentId = 'enr-1',
): MfaEnrollmentEvent => ({
  type: 'MfaActivated',
  data: { enrollmentId, activatedAt: iso(now), steps },
});
const generated = (
  now = T0,
  reason: RecoveryCodesReason = 'activation',
  { keyId, hashes }: RecoveryCodeHashes = SET_1,
): MfaEnrollmentEvent => ({
  type: 'RecoveryCodesGenerated',
  data: { keyId, hashes, generatedAt: iso(now), reason },
});
const recoveryCodeUsed = (index: number, remaining: number, now = T0, challengeId = LOGIN): MfaEnrollmentEvent => ({
  type: 'RecoveryCodeUsed',
  data: { index, usedAt: iso(now), challengeId, context: CTX, remaining },
});
const verified = (step: number, now = T0, challengeId = LOGIN): MfaEnrollmentEvent => ({
  type: 'MfaChallengeVerified',
  data: { step, verifiedAt: iso(now), challengeId, context: CTX },
});
/**
 * A failed check. By default: as many failures since the last success as in a
 * row, one lock since then if it shows one, and the login's token id on a login.
 */
const failed = (
  consecutiveFailures: number,
  options: {
    now?: Date;
    reason?: ChallengeFailureReason;
    purpose?: ChallengePurpose;
    lockedUntil?: string | null;
    failuresSinceSuccess?: number;
    locksSinceSuccess?: number;
    requiresAdminReset?: boolean;
    challengeId?: string | null;
  } = {},
): MfaEnrollmentEvent => {
  const purpose = options.purpose ?? 'login';
  const lockedUntil = options.lockedUntil ?? null;
  return {
    type: 'MfaChallengeFailed',
    data: {
      purpose,
      reason: options.reason ?? 'invalid_code',
      failedAt: iso(options.now ?? T0),
      consecutiveFailures,
      failuresSinceSuccess: options.failuresSinceSuccess ?? consecutiveFailures,
      locksSinceSuccess: options.locksSinceSuccess ?? (lockedUntil === null ? 0 : 1),
      lockedUntil,
      requiresAdminReset: options.requiresAdminReset ?? false,
      challengeId: options.challengeId !== undefined ? options.challengeId : purpose === 'login' ? LOGIN : null,
      context: CTX,
    },
  };
};
const deactivatedByUser = (step: number, now = T0): MfaEnrollmentEvent => ({
  type: 'MfaDeactivated',
  data: { deactivatedAt: iso(now), by: { kind: 'user', step, context: CTX } },
});
const deactivatedByAdmin = (now = T0): MfaEnrollmentEvent => ({
  type: 'MfaDeactivated',
  data: {
    deactivatedAt: iso(now),
    by: { kind: 'admin', adminId: 'admin-9', reason: 'lost phone, identity checked by phone call' },
  },
});

/** An active enrollment, activated at T0 with steps C-1, C (so C is spent). */
const ACTIVE: readonly MfaEnrollmentEvent[] = [started(at(-60)), activated([C - 1, C])];
/** Four counted wrong codes at T0. */
const FOUR_FAILURES = [1, 2, 3, 4].map((n) => failed(n));
const LOCK_END = at(DEFAULT_LOCKOUT_POLICY.lockoutSeconds);
/** Active and locked at T0 until LOCK_END. */
const LOCKED: readonly MfaEnrollmentEvent[] = [...ACTIVE, ...FOUR_FAILURES, failed(5, { lockedUntil: iso(LOCK_END) })];

// ---- StartEnrollment --------------------------------------------------------

describe('StartEnrollment', () => {
  it('starts an enrollment that expires after the TTL, carrying the sealed secret and parameters', () => {
    given().when(start()).then([started()]);
  });

  it('is refused while MFA is active', () => {
    given(...ACTIVE)
      .when(start(at(60), 'enr-2'))
      .thenThrows(MfaAlreadyActive, 'mfa_already_active');
  });

  it('replaces a pending enrollment: the new secret is the one activated', () => {
    const scenario = given(started(at(-60))).when(start(T0, 'enr-2', OTHER_SEALED));
    scenario.then([started(T0, 'enr-2', OTHER_SEALED)]);
    const state = scenario.state();
    expect(state.status === 'pending' && state.enrollment).toMatchObject({
      enrollmentId: 'enr-2',
      secret: OTHER_SEALED,
    });
    given(started(at(-60)), started(T0, 'enr-2', OTHER_SEALED))
      .when(activate([C - 1, C]))
      .then([activated([C - 1, C], T0, 'enr-2'), generated()]);
  });

  it('is allowed again after a deactivation', () => {
    given(...ACTIVE, deactivatedByUser(C + 1, at(30)))
      .when(start(at(60), 'enr-2'))
      .then([started(at(60), 'enr-2')]);
    given(...ACTIVE, deactivatedByAdmin(at(30)))
      .when(start(at(60), 'enr-2'))
      .then([started(at(60), 'enr-2')]);
  });

  it('refuses a TTL that is not a positive whole number of seconds', () => {
    const command = start();
    if (command.type !== 'StartEnrollment') throw new Error('unreachable');
    given()
      .when({ ...command, data: { ...command.data, ttlSeconds: 0 } })
      .thenThrows(RangeError);
  });
});

// ---- Activate ---------------------------------------------------------------

describe('Activate', () => {
  const PENDING = [started(at(-60))];
  const refusedActivation = (now = T0, reason: ChallengeFailureReason = 'invalid_code') => [
    failed(0, { now, purpose: 'activation', reason }),
  ];

  it.each([
    ['the previous and the current step', C - 1, C],
    ['the current and the next step (app clock one step ahead)', C, C + 1],
  ])('accepts two consecutive codes: %s', (_label, first, second) => {
    given(...PENDING)
      .when(activate([first, second]))
      .then([activated([first, second]), generated()]);
  });

  it.each([
    ['a step two behind (C-2, C-1)', C - 2, C - 1],
    ['a step two ahead (C+1, C+2)', C + 1, C + 2],
    ['the order reversed', C, C - 1],
    ['a gap between the steps', C - 1, C + 1],
    ['the same step twice', C, C],
    ['no match for the first code', null, C],
    ['no match for the second code', C, null],
    ['no match at all', null, null],
  ])('refuses %s, recording a failed activation', (_label, first, second) => {
    const scenario = given(...PENDING).when(activate([first, second]));
    scenario.then(refusedActivation());
    expect(rejectionOf(scenario.events())).toBeInstanceOf(InvalidCodes);
    expect(scenario.state().status).toBe('pending');
  });

  it('is refused without an enrollment, or once MFA is active', () => {
    given()
      .when(activate([C - 1, C]))
      .thenThrows(NoPendingEnrollment, 'no_pending_enrollment');
    given(...ACTIVE)
      .when(activate([C + 1, C + 2], at(60)))
      .thenThrows(NoPendingEnrollment, 'no_pending_enrollment');
    given(...ACTIVE, deactivatedByAdmin())
      .when(activate([C, C + 1]))
      .thenThrows(NoPendingEnrollment, 'no_pending_enrollment');
  });

  it('is refused from the expiry instant on, accepted one millisecond before', () => {
    const expiry = at(TTL);
    const stepAtExpiry = timeStep(expiry, PERIOD);
    given(started(T0))
      .when(activate([stepAtExpiry - 1, stepAtExpiry], expiry))
      .thenThrows(NoPendingEnrollment, 'no_pending_enrollment');
    const justBefore = new Date(expiry.getTime() - 1);
    const stepJustBefore = timeStep(justBefore, PERIOD);
    given(started(T0))
      .when(activate([stepJustBefore - 1, stepJustBefore], justBefore))
      .then([activated([stepJustBefore - 1, stepJustBefore], justBefore), generated(justBefore)]);
  });

  it('makes both steps used: neither code can log in', () => {
    given(...ACTIVE)
      .when(verify(C))
      .then([failed(1, { reason: 'replayed' })]);
    given(...ACTIVE)
      .when(verify(C - 1))
      .then([failed(1, { reason: 'replayed' })]);
  });

  it('does not count failed activations toward the lock-out', () => {
    const tenFailures = Array.from({ length: 10 }, () => failed(0, { purpose: 'activation' }));
    const history = [...PENDING, ...tenFailures];
    given(...PENDING)
      .when(activate([null, null]))
      .then([failed(0, { purpose: 'activation' })]);
    given(...history)
      .when(activate([C - 1, C]))
      .then([activated([C - 1, C]), generated()]);
    given(...history, activated([C - 1, C]))
      .when(verify(null, at(30)))
      .then([failed(1, { now: at(30) })]);
  });

  it('is not refused while a login lock is in force (the user was just shown this secret)', () => {
    const history = [...LOCKED, deactivatedByAdmin(at(10)), started(at(20), 'enr-2', OTHER_SEALED)];
    const now = at(40);
    const step = timeStep(now, PERIOD);
    given(...history)
      .when(activate([step - 1, step], now))
      .then([activated([step - 1, step], now, 'enr-2'), generated(now)]);
  });
});

// ---- VerifyChallenge (login) -------------------------------------------------

describe('VerifyChallenge', () => {
  const LATER = at(60); // two steps after activation: C+2 is current, C+1..C+3 are in the window
  const L = C + 2;

  it('is refused when MFA is not active', () => {
    given().when(verify(C)).thenThrows(MfaNotActive, 'mfa_not_active');
    given(started()).when(verify(C)).thenThrows(MfaNotActive, 'mfa_not_active');
    given(...ACTIVE, deactivatedByAdmin())
      .when(verify(C + 1))
      .thenThrows(MfaNotActive, 'mfa_not_active');
  });

  it.each([
    ['the current step', L],
    ['one step behind', L - 1],
    ['one step ahead', L + 1],
  ])('accepts %s', (_label, step) => {
    const scenario = given(...ACTIVE).when(verify(step, LATER));
    scenario.then([verified(step, LATER)]);
    expect(rejectionOf(scenario.events())).toBeNull();
  });

  it.each([
    ['two steps behind', L - 2],
    ['two steps ahead', L + 2],
    ['far away', L + 1000],
  ])('refuses a step %s as a wrong code', (_label, step) => {
    given(...ACTIVE)
      .when(verify(step, LATER))
      .then([failed(1, { now: LATER })]);
  });

  it('refuses no match as a wrong code', () => {
    const scenario = given(...ACTIVE).when(verify(null, LATER));
    scenario.then([failed(1, { now: LATER })]);
    expect(rejectionOf(scenario.events())).toBeInstanceOf(InvalidCode);
  });

  it('records the login context', () => {
    const [event] = given(...ACTIVE)
      .when(verify(L, LATER))
      .events();
    expect(event).toMatchObject({ data: { context: CTX } });
  });

  describe('replay', () => {
    it('refuses the same step twice', () => {
      const scenario = given(...ACTIVE, verified(L, LATER, EARLIER_LOGIN)).when(verify(L, at(65)));
      scenario.then([failed(1, { now: at(65), reason: 'replayed' })]);
    });

    it('refuses a lower step after a higher one', () => {
      given(...ACTIVE, verified(L + 1, LATER, EARLIER_LOGIN))
        .when(verify(L, at(65)))
        .then([failed(1, { now: at(65), reason: 'replayed' })]);
    });

    it('accepts the next step after a used one', () => {
      given(...ACTIVE, verified(L, LATER, EARLIER_LOGIN))
        .when(verify(L + 1, at(65)))
        .then([verified(L + 1, at(65))]);
    });

    it('answers a replay exactly like a wrong code', () => {
      const replay = rejectionOf(
        given(...ACTIVE, verified(L, LATER, EARLIER_LOGIN))
          .when(verify(L, LATER))
          .events(),
      );
      const wrong = rejectionOf(
        given(...ACTIVE)
          .when(verify(null, LATER))
          .events(),
      );
      expect(replay).toBeInstanceOf(InvalidCode);
      expect(replay).toEqual(wrong);
      expect(replay?.message).toBe(wrong?.message);
      expect(replay?.code).toBe('invalid_code');
    });

    it('counts replays toward the lock-out', () => {
      given(...ACTIVE, verified(L, LATER, EARLIER_LOGIN), ...FOUR_FAILURES)
        .when(verify(L, LATER))
        .then([failed(5, { now: LATER, reason: 'replayed', lockedUntil: iso(at(60 + 300)) })]);
    });
  });

  describe('lock-out', () => {
    it('does not lock after four consecutive failures', () => {
      given(...ACTIVE, ...FOUR_FAILURES.slice(0, 3))
        .when(verify(null))
        .then([failed(4)]);
      given(...ACTIVE, ...FOUR_FAILURES)
        .when(verify(C + 1))
        .then([verified(C + 1)]);
    });

    it('locks with the fifth consecutive failure, answered still as a wrong code', () => {
      const scenario = given(...ACTIVE, ...FOUR_FAILURES).when(verify(null));
      scenario.then([failed(5, { lockedUntil: iso(LOCK_END) })]);
      expect(rejectionOf(scenario.events())).toBeInstanceOf(InvalidCode);
    });

    it('refuses even the right code while locked, with a distinct locked answer', () => {
      const now = at(30);
      const scenario = given(...LOCKED).when(verify(C + 1, now));
      scenario.then([failed(5, { now, reason: 'locked', lockedUntil: iso(LOCK_END) })]);
      const rejection = rejectionOf(scenario.events());
      expect(rejection).toBeInstanceOf(MfaLocked);
      expect(rejection).toMatchObject({
        code: 'mfa_locked',
        details: {
          lockedUntil: iso(LOCK_END),
          retryAfterSeconds: DEFAULT_LOCKOUT_POLICY.lockoutSeconds - 30,
          requiresAdminReset: false,
        },
      });
    });

    it('stays locked until the last millisecond', () => {
      const now = new Date(LOCK_END.getTime() - 1);
      const step = timeStep(now, PERIOD);
      given(...LOCKED)
        .when(verify(step, now))
        .then([failed(5, { now, reason: 'locked', lockedUntil: iso(LOCK_END) })]);
    });

    it('accepts the right code once the lock has expired, and clears the count', () => {
      const step = timeStep(LOCK_END, PERIOD);
      const scenario = given(...LOCKED).when(verify(step, LOCK_END));
      scenario.then([verified(step, LOCK_END)]);
      expect(scenario.state()).toMatchObject({ consecutiveFailures: 0, lockedUntil: null });
    });

    it('neither counts nor extends the lock with attempts made while locked', () => {
      const attempts = [at(10), at(100), at(299)].map((now) =>
        failed(5, { now, reason: 'locked', lockedUntil: iso(LOCK_END) }),
      );
      const step = timeStep(LOCK_END, PERIOD);
      given(...LOCKED, ...attempts)
        .when(verify(step, LOCK_END))
        .then([verified(step, LOCK_END)]);
    });

    it('starts counting toward the next lock again from one after the lock has expired', () => {
      const scenario = given(...LOCKED).when(verify(null, LOCK_END));
      const sinceSuccess = { failuresSinceSuccess: 6, locksSinceSuccess: 1 };
      scenario.then([failed(1, { now: LOCK_END, ...sinceSuccess })]);
      const after = at(400);
      given(...LOCKED, failed(1, { now: LOCK_END, ...sinceSuccess }))
        .when(verify(null, after))
        .then([failed(2, { now: after, failuresSinceSuccess: 7, locksSinceSuccess: 1 })]);
    });

    it('is reset by a success', () => {
      const history = [...ACTIVE, ...FOUR_FAILURES, verified(C + 1, T0, EARLIER_LOGIN), ...FOUR_FAILURES];
      given(...history)
        .when(verify(null))
        .then([failed(5, { lockedUntil: iso(LOCK_END) })]);
      given(...ACTIVE, ...FOUR_FAILURES, verified(C + 1, T0, EARLIER_LOGIN))
        .when(verify(null))
        .then([failed(1)]);
    });

    it('is not reset by an admin reset and a new enrollment', () => {
      const now = at(120);
      const step = timeStep(now, PERIOD);
      const history = [
        ...ACTIVE,
        ...FOUR_FAILURES,
        deactivatedByAdmin(at(60)),
        started(at(70), 'enr-2', OTHER_SEALED),
        activated([step - 2, step - 1], at(90), 'enr-2'),
      ];
      expect(stateFrom(history)).toMatchObject({ status: 'active', consecutiveFailures: 4, lockedUntil: null });
      given(...history)
        .when(verify(null, now))
        .then([failed(5, { now, lockedUntil: iso(new Date(now.getTime() + 300_000)) })]);
    });

    it('follows the configured policy', () => {
      const strict: LockoutPolicy = {
        maxFailedAttempts: 3,
        lockoutSeconds: 60,
        maxLockoutSeconds: 600,
        permanentLockAfter: 50,
      };
      withPolicy(strict)(...ACTIVE, failed(1), failed(2))
        .when(verify(null))
        .then([failed(3, { lockedUntil: iso(at(60)) })]);
      for (const wrong of [
        { maxFailedAttempts: 0 },
        { lockoutSeconds: 1.5 },
        { maxLockoutSeconds: 0 },
        { permanentLockAfter: 0 },
        { lockoutSeconds: 601 }, // longer than the cap
      ]) {
        expect(() => mfaEnrollmentDecider({ ...strict, ...wrong })).toThrow(RangeError);
      }
    });
  });
});

// ---- Deactivate ---------------------------------------------------------------

describe('Deactivate', () => {
  const now = at(30);
  const step = C + 1;

  it('is refused when MFA is not active', () => {
    given().when(deactivate(step, now)).thenThrows(MfaNotActive, 'mfa_not_active');
    given(started()).when(deactivate(step, now)).thenThrows(MfaNotActive, 'mfa_not_active');
  });

  it.each([false, undefined, 'true', 1])('requires confirm === true (given %s), recording nothing', (confirm) => {
    const command: MfaEnrollmentCommand = {
      type: 'Deactivate',
      data: { now, matchedStep: step, confirm: confirm as boolean, context: CTX },
    };
    given(...ACTIVE)
      .when(command)
      .thenThrows(ConfirmationRequired, 'confirmation_required');
  });

  it('deactivates with a valid code and confirmation, using the step', () => {
    const scenario = given(...ACTIVE).when(deactivate(step, now));
    scenario.then([deactivatedByUser(step, now)]);
    expect(rejectionOf(scenario.events())).toBeNull();
    expect(scenario.state()).toEqual({
      status: 'none',
      lastUsedStep: step,
      consecutiveFailures: 0,
      failuresSinceSuccess: 0,
      locksSinceSuccess: 0,
      lockedUntil: null,
      requiresAdminReset: false,
      usedChallenges: [],
    });
  });

  it('refuses a wrong code, counting it toward the lock-out', () => {
    const scenario = given(...ACTIVE).when(deactivate(null, now));
    scenario.then([failed(1, { now, purpose: 'deactivation' })]);
    expect(rejectionOf(scenario.events())).toBeInstanceOf(InvalidCode);
    expect(scenario.state().status).toBe('active');
  });

  it('refuses a step outside the window and a used step', () => {
    given(...ACTIVE)
      .when(deactivate(step + 2, now))
      .then([failed(1, { now, purpose: 'deactivation' })]);
    given(...ACTIVE)
      .when(deactivate(C, now))
      .then([failed(1, { now, purpose: 'deactivation', reason: 'replayed' })]);
  });

  it('shares one failure count with logins', () => {
    const history = [...ACTIVE, failed(1), failed(2), failed(3), failed(4, { purpose: 'deactivation' })];
    given(...history)
      .when(deactivate(null, now))
      .then([failed(5, { now, purpose: 'deactivation', lockedUntil: iso(at(330)) })]);
  });

  it('is answered locked while locked, even with the right code', () => {
    const scenario = given(...LOCKED).when(deactivate(step, now));
    scenario.then([failed(5, { now, purpose: 'deactivation', reason: 'locked', lockedUntil: iso(LOCK_END) })]);
    expect(rejectionOf(scenario.events())).toBeInstanceOf(MfaLocked);
  });

  it('checks confirmation before the lock', () => {
    given(...LOCKED)
      .when(deactivate(step, now, false))
      .thenThrows(ConfirmationRequired, 'confirmation_required');
  });
});

// ---- Reset (admin) --------------------------------------------------------------

describe('Reset', () => {
  it('deactivates an active enrollment, recording who and why', () => {
    const scenario = given(...ACTIVE).when(reset(at(30)));
    scenario.then([deactivatedByAdmin(at(30))]);
    expect(scenario.state().status).toBe('none');
  });

  it('clears a pending enrollment', () => {
    given(started())
      .when(reset(at(30)))
      .then([deactivatedByAdmin(at(30))]);
  });

  it('records nothing when there is nothing to reset (idempotent)', () => {
    given().when(reset()).thenNothingHappened();
    given(...ACTIVE, deactivatedByAdmin())
      .when(reset(at(10)))
      .thenNothingHappened();
    given(started(T0))
      .when(reset(at(TTL)))
      .thenNothingHappened(); // expired: reads as inactive
  });

  it('keeps the failure count and the lock', () => {
    const state = given(...LOCKED)
      .when(reset(at(30)))
      .state();
    expect(state).toEqual({
      status: 'none',
      lastUsedStep: C,
      consecutiveFailures: 5,
      failuresSinceSuccess: 5,
      locksSinceSuccess: 1,
      lockedUntil: iso(LOCK_END),
      requiresAdminReset: false,
      usedChallenges: [],
    });
  });
});

// ---- ResealSecret (ops reencrypt) ------------------------------------------------

describe('ResealSecret', () => {
  /** The same secret sealed under the ring's new current key. */
  const RESEALED: SealedSecret = {
    keyId: 'fedcba9876543210',
    iv: 'BBBBBBBBBBBBBBBB',
    ciphertext: 'bmV3',
    tag: SEALED.tag,
  };
  const reseal = (now = at(30), enrollmentId = 'enr-1', secret = RESEALED): MfaEnrollmentCommand => ({
    type: 'ResealSecret',
    data: { now, resealed: { enrollmentId, secret } },
  });
  const resealed = (now = at(30), enrollmentId = 'enr-1', secret = RESEALED): MfaEnrollmentEvent => ({
    type: 'MfaSecretResealed',
    data: { enrollmentId, secret, resealedAt: iso(now) },
  });

  it('reseals an active enrollment’s secret: the state holds the new one, and nothing else changes', () => {
    const before = stateFrom([...ACTIVE, generated()]);
    const scenario = given(...ACTIVE, generated()).when(reseal());
    scenario.then([resealed()]);
    const after = scenario.state();
    expect(after.status === 'active' && after.enrollment.secret).toEqual(RESEALED);
    if (before.status !== 'active') throw new Error('unreachable');
    expect(after).toEqual({ ...before, enrollment: { ...before.enrollment, secret: RESEALED } });
  });

  it('reseals a pending enrollment until it expires; the activation then takes the resealed secret', () => {
    const scenario = given(started(T0)).when(reseal(at(TTL - 1)));
    scenario.then([resealed(at(TTL - 1))]);
    given(started(T0), resealed(at(10)))
      .when(activate([C - 1, C], at(20)))
      .then([activated([C - 1, C], at(20)), generated(at(20))]);
    const state = stateFrom([started(T0), resealed(at(10)), activated([C - 1, C], at(20))]);
    expect(state.status === 'active' && state.enrollment.secret).toEqual(RESEALED);
    given(started(T0))
      .when(reseal(at(TTL)))
      .thenNothingHappened(); // expired: no code can be checked against it again
  });

  it('records nothing when already under that key, or without a secret in use (idempotent)', () => {
    given(...ACTIVE, resealed())
      .when(reseal(at(60)))
      .thenNothingHappened();
    given(...ACTIVE)
      .when(reseal(at(30), 'enr-1', SEALED))
      .thenNothingHappened();
    given()
      .when({ type: 'ResealSecret', data: { now: T0, resealed: null } })
      .thenNothingHappened();
    given(...ACTIVE)
      .when({ type: 'ResealSecret', data: { now: T0, resealed: null } })
      .thenNothingHappened();
    given().when(reseal()).thenNothingHappened();
    given(...ACTIVE, deactivatedByAdmin(at(10)))
      .when(reseal())
      .thenNothingHappened();
  });

  it('never gives one enrollment’s secret to another: a set-up started since is left alone', () => {
    given(started(at(-60)), started(T0, 'enr-2', OTHER_SEALED))
      .when(reseal(at(30), 'enr-1'))
      .thenNothingHappened();
    const state = stateFrom([started(T0, 'enr-2', OTHER_SEALED), resealed(at(30), 'enr-1')]);
    expect(state.status === 'pending' && state.enrollment.secret).toEqual(OTHER_SEALED);
  });

  it('leaves the lock-out as it is: the user checked no code', () => {
    const scenario = given(...LOCKED).when(reseal(at(30)));
    scenario.then([resealed(at(30))]);
    expect(scenario.state()).toMatchObject({ consecutiveFailures: 5, lockedUntil: iso(LOCK_END), lastUsedStep: C });
  });
});

// ---- recovery codes ----------------------------------------------------------------

describe('recovery codes', () => {
  /** Active since T0 with the activation's set (SET_1): ten codes unused. */
  const WITH_CODES: readonly MfaEnrollmentEvent[] = [...ACTIVE, generated()];
  const LATER = at(60);
  /** The current step at LATER: a fresh code for a regeneration. */
  const L = C + 2;

  describe('at activation', () => {
    it('are generated in the same append as the activation, so MFA is never active without a set', () => {
      const scenario = given(started(at(-60))).when(activate([C - 1, C]));
      scenario.then([activated([C - 1, C]), generated(T0, 'activation')]);
      const state = scenario.state();
      expect(state.status === 'active' && state.recoveryCodes).toEqual({ ...SET_1, usedIndexes: [] });
    });

    it('are not generated by a refused activation', () => {
      given(started(at(-60)))
        .when(activate([C, C - 1]))
        .then([failed(0, { purpose: 'activation' })]);
    });

    it('must be a set of ten distinct hashes (a handler bug, not a refusal)', () => {
      const short = { keyId: SET_1.keyId, hashes: SET_1.hashes.slice(1) };
      const repeated = { keyId: SET_1.keyId, hashes: [...SET_1.hashes.slice(1), SET_1.hashes[1]!] };
      given(started(at(-60)))
        .when(activate([C - 1, C], T0, short))
        .thenThrows(RangeError);
      given(started(at(-60)))
        .when(activate([C - 1, C], T0, repeated))
        .thenThrows(RangeError);
    });
  });

  describe('at the login', () => {
    it('accept a code of the set once, recording which, the login context and the count left', () => {
      given(...WITH_CODES)
        .when(useRecoveryCode(3, LATER))
        .then([recoveryCodeUsed(3, 9, LATER)]);
    });

    it('refuse a code already used, as a counted failure answered like a wrong code', () => {
      const scenario = given(...WITH_CODES, recoveryCodeUsed(3, 9, at(30), EARLIER_LOGIN)).when(
        useRecoveryCode(3, LATER),
      );
      scenario.then([failed(1, { now: LATER, reason: 'recovery_code_used' })]);
      expect(rejectionOf(scenario.events())).toBeInstanceOf(InvalidCode);
    });

    it('refuse a code of no set as a counted failure answered like a wrong code', () => {
      const scenario = given(...WITH_CODES).when(useRecoveryCode(null, LATER));
      scenario.then([failed(1, { now: LATER, reason: 'invalid_recovery_code' })]);
      expect(rejectionOf(scenario.events())).toBeInstanceOf(InvalidCode);
      given(...WITH_CODES)
        .when(useRecoveryCode(10, LATER))
        .then([failed(1, { now: LATER, reason: 'invalid_recovery_code' })]);
    });

    it('refuse every code of an enrollment activated before recovery codes existed', () => {
      given(...ACTIVE)
        .when(useRecoveryCode(0, LATER))
        .then([failed(1, { now: LATER, reason: 'invalid_recovery_code' })]);
    });

    it('count down to none, then refuse', () => {
      const used = Array.from({ length: 10 }, (_, index) =>
        recoveryCodeUsed(index, 9 - index, at(index), `login-${index}`),
      );
      given(...WITH_CODES, ...used.slice(0, 9))
        .when(useRecoveryCode(9, LATER))
        .then([recoveryCodeUsed(9, 0, LATER)]);
      const state = stateFrom([...WITH_CODES, ...used]);
      expect(statusOf(state, LATER)).toMatchObject({ recoveryCodesRemaining: 0 });
      given(...WITH_CODES, ...used)
        .when(useRecoveryCode(9, LATER))
        .then([failed(1, { now: LATER, reason: 'recovery_code_used' })]);
    });

    it('share one lock-out with TOTP codes: wrong codes of either kind lock both', () => {
      const mixed = [
        failed(1),
        failed(2, { reason: 'invalid_recovery_code' }),
        failed(3),
        failed(4, { reason: 'recovery_code_used' }),
      ];
      given(...WITH_CODES, ...mixed)
        .when(useRecoveryCode(null))
        .then([failed(5, { reason: 'invalid_recovery_code', lockedUntil: iso(LOCK_END) })]);
      given(...WITH_CODES, ...mixed, failed(5, { reason: 'invalid_recovery_code', lockedUntil: iso(LOCK_END) }))
        .when(verify(C + 1, at(10)))
        .then([failed(5, { now: at(10), reason: 'locked', lockedUntil: iso(LOCK_END) })]);
    });

    it('refuse even a right code while locked, using nothing up', () => {
      const scenario = given(...LOCKED, generated(at(1))).when(useRecoveryCode(2, at(10)));
      scenario.then([failed(5, { now: at(10), reason: 'locked', lockedUntil: iso(LOCK_END) })]);
      expect(rejectionOf(scenario.events())).toBeInstanceOf(MfaLocked);
      const state = scenario.state();
      expect(state.status === 'active' && state.recoveryCodes?.usedIndexes).toEqual([]);
    });

    it('count as a successful check: the failures in a row and the escalation start again', () => {
      const state = given(...WITH_CODES, ...FOUR_FAILURES)
        .when(useRecoveryCode(0, at(10)))
        .state();
      expect(state).toMatchObject({ consecutiveFailures: 0, failuresSinceSuccess: 0, locksSinceSuccess: 0 });
      given(...WITH_CODES, ...FOUR_FAILURES, recoveryCodeUsed(0, 9, at(10)))
        .when(verify(null, at(20), 'another-login'))
        .then([failed(1, { now: at(20), challengeId: 'another-login' })]);
    });

    it('use the mfaToken up, whichever factor verified with it', () => {
      given(...WITH_CODES, recoveryCodeUsed(0, 9))
        .when(verify(C + 1, at(10)))
        .thenThrows(MfaTokenUsed, 'invalid_mfa_token');
      given(...WITH_CODES, verified(C + 1))
        .when(useRecoveryCode(0, at(10)))
        .thenThrows(MfaTokenUsed, 'invalid_mfa_token');
    });

    it('leave the TOTP replay protection alone (no time-step is used)', () => {
      given(...WITH_CODES, recoveryCodeUsed(0, 9))
        .when(verify(C + 1, at(10), 'another-login'))
        .then([verified(C + 1, at(10), 'another-login')]);
    });

    it('are refused with mfa_not_active without an active enrollment', () => {
      given().when(useRecoveryCode(0)).thenThrows(MfaNotActive, 'mfa_not_active');
      given(started()).when(useRecoveryCode(0)).thenThrows(MfaNotActive, 'mfa_not_active');
    });
  });

  describe('regeneration', () => {
    it('needs a current code: it is verified (its step spent) and a new set replaces the old one', () => {
      const scenario = given(...WITH_CODES, recoveryCodeUsed(1, 9, at(30), EARLIER_LOGIN)).when(regenerate(L, LATER));
      scenario.then([verified(L, LATER, REGENERATION), generated(LATER, 'regenerated', SET_2)]);
      const state = scenario.state();
      expect(state.status === 'active' && state.recoveryCodes).toEqual({ ...SET_2, usedIndexes: [] });
      expect(state.lastUsedStep).toBe(L);
    });

    it('makes every code of the old set wrong, and the new set good', () => {
      const history = [...WITH_CODES, verified(L, LATER, REGENERATION), generated(LATER, 'regenerated', SET_2)];
      // The handler matches a typed code against the current set only: an old code matches nothing.
      given(...history)
        .when(useRecoveryCode(null, at(70)))
        .then([failed(1, { now: at(70), reason: 'invalid_recovery_code' })]);
      given(...history)
        .when(useRecoveryCode(0, at(70)))
        .then([recoveryCodeUsed(0, 9, at(70))]);
    });

    it('gives an enrollment from before recovery codes its first set', () => {
      const state = given(...ACTIVE)
        .when(regenerate(L, LATER))
        .state();
      expect(statusOf(state, LATER)).toMatchObject({ recoveryCodesRemaining: 10 });
    });

    it('refuses a wrong code, a used step and a step outside the window, counting each', () => {
      given(...WITH_CODES)
        .when(regenerate(null, LATER))
        .then([failed(1, { now: LATER, purpose: 'regeneration', challengeId: null })]);
      given(...WITH_CODES)
        .when(regenerate(C, LATER))
        .then([failed(1, { now: LATER, purpose: 'regeneration', reason: 'invalid_code', challengeId: null })]);
      given(...WITH_CODES, verified(L, LATER))
        .when(regenerate(L, LATER))
        .then([failed(1, { now: LATER, purpose: 'regeneration', reason: 'replayed', challengeId: null })]);
      expect(
        rejectionOf([failed(1, { now: LATER, purpose: 'regeneration', reason: 'replayed', challengeId: null })]),
      ).toBeInstanceOf(InvalidCode);
    });

    it('shares the lock-out with logins, and is refused while locked', () => {
      given(...WITH_CODES, ...FOUR_FAILURES)
        .when(regenerate(null))
        .then([failed(5, { purpose: 'regeneration', lockedUntil: iso(LOCK_END), challengeId: null })]);
      given(...LOCKED, generated(at(1)))
        .when(regenerate(C + 1, at(10)))
        .then([
          failed(5, {
            now: at(10),
            purpose: 'regeneration',
            reason: 'locked',
            lockedUntil: iso(LOCK_END),
            challengeId: null,
          }),
        ]);
    });

    it('is refused with mfa_not_active without an active enrollment', () => {
      given(started()).when(regenerate(C)).thenThrows(MfaNotActive, 'mfa_not_active');
    });
  });

  describe('when the phone is lost: deactivation with a recovery code', () => {
    it('turns MFA off, using the code up (no time-step involved), so that a new phone can be enrolled', () => {
      const scenario = given(...WITH_CODES).when(deactivateWithRecoveryCode(6, LATER));
      scenario.then([
        recoveryCodeUsed(6, 9, LATER, DEACTIVATION),
        {
          type: 'MfaDeactivated',
          data: { deactivatedAt: iso(LATER), by: { kind: 'user', step: null, context: CTX } },
        },
      ]);
      const state = scenario.state();
      expect(state).toMatchObject({ status: 'none', lastUsedStep: C, consecutiveFailures: 0 });
      expect(state).not.toHaveProperty('recoveryCodes');
      given(...WITH_CODES, ...scenario.events())
        .when(start(at(90), 'enr-2'))
        .then([started(at(90), 'enr-2')]);
    });

    it('clears the counts like the deactivation with a code', () => {
      expect(
        given(...WITH_CODES, ...FOUR_FAILURES)
          .when(deactivateWithRecoveryCode(0, at(10)))
          .state(),
      ).toMatchObject({ consecutiveFailures: 0, failuresSinceSuccess: 0 });
    });

    it('refuses a used or a wrong code as a counted deactivation failure, MFA staying active', () => {
      const used = given(...WITH_CODES, recoveryCodeUsed(6, 9, at(30))).when(deactivateWithRecoveryCode(6, LATER));
      used.then([failed(1, { now: LATER, purpose: 'deactivation', reason: 'recovery_code_used', challengeId: null })]);
      expect(rejectionOf(used.events())).toBeInstanceOf(InvalidCode);
      expect(used.state().status).toBe('active');
      given(...WITH_CODES)
        .when(deactivateWithRecoveryCode(null, LATER))
        .then([failed(1, { now: LATER, purpose: 'deactivation', reason: 'invalid_recovery_code', challengeId: null })]);
    });

    it('needs the confirmation, checked before anything (nothing recorded, no code used)', () => {
      given(...WITH_CODES)
        .when(deactivateWithRecoveryCode(6, LATER, false))
        .thenThrows(ConfirmationRequired, 'confirmation_required');
    });

    it('is refused while locked, even with a right code', () => {
      given(...LOCKED, generated(at(1)))
        .when(deactivateWithRecoveryCode(0, at(10)))
        .then([
          failed(5, {
            now: at(10),
            purpose: 'deactivation',
            reason: 'locked',
            lockedUntil: iso(LOCK_END),
            challengeId: null,
          }),
        ]);
    });

    it('is refused with mfa_not_active without an active enrollment', () => {
      given().when(deactivateWithRecoveryCode(0)).thenThrows(MfaNotActive, 'mfa_not_active');
    });
  });

  describe('after a deactivation or an admin reset', () => {
    it('are forgotten: the status has none, and a new activation makes a new set', () => {
      for (const ended of [deactivatedByUser(C + 1, at(30)), deactivatedByAdmin(at(30))]) {
        const state = stateFrom([...WITH_CODES, ended]);
        expect(state).not.toHaveProperty('recoveryCodes');
        expect(statusOf(state, at(30))).toMatchObject({ recoveryCodesRemaining: null });
        given(...WITH_CODES, ended)
          .when(useRecoveryCode(0, at(40)))
          .thenThrows(MfaNotActive, 'mfa_not_active');
        const step = timeStep(at(120), PERIOD);
        given(...WITH_CODES, ended, started(at(60), 'enr-2'))
          .when(activate([step - 1, step], at(120), SET_2))
          .then([activated([step - 1, step], at(120), 'enr-2'), generated(at(120), 'activation', SET_2)]);
      }
    });

    it('are not carried over by a new enrollment, even one never activated', () => {
      const state = stateFrom([...WITH_CODES, deactivatedByAdmin(at(30)), started(at(60), 'enr-2')]);
      expect(state).not.toHaveProperty('recoveryCodes');
    });

    it('ignore a set or a use recorded for no active enrollment (a stream the decider never writes)', () => {
      const none = stateFrom([]);
      expect(stateFrom([generated()])).toEqual(none);
      expect(stateFrom([...ACTIVE, deactivatedByAdmin(), recoveryCodeUsed(0, 9)])).not.toHaveProperty('recoveryCodes');
    });
  });
});

// ---- escalating lock-out ----------------------------------------------------------

/** The four counted wrong codes at `now` that come before a locking one, after `locks` locks since the last success. */
const fourBeforeLock = (locks: number, now: Date): MfaEnrollmentEvent[] =>
  [1, 2, 3, 4].map((n) => failed(n, { now, failuresSinceSuccess: 5 * locks + n, locksSinceSuccess: locks }));

/** The wrong code at `now` that sets lock number `nth` since the last success, lasting `seconds`. */
const locking = (nth: number, now: Date, seconds: number): MfaEnrollmentEvent =>
  failed(5, {
    now,
    failuresSinceSuccess: 5 * nth,
    locksSinceSuccess: nth,
    lockedUntil: iso(new Date(now.getTime() + seconds * 1000)),
  });

/** How long lock n lasts under the default policy, written out: doubling from 300 s, then 24 h. */
const DOUBLING = [300, 600, 1_200, 2_400, 4_800, 9_600, 19_200, 38_400, 76_800];
const expectedLockSeconds = (nth: number): number => DOUBLING[nth - 1] ?? 86_400;

/** ACTIVE, then `count` rounds of five wrong codes, each round typed the moment the lock before it ended. */
function afterLocks(count: number): { history: MfaEnrollmentEvent[]; end: Date } {
  const history = [...ACTIVE];
  let now = T0;
  for (let nth = 1; nth <= count; nth += 1) {
    const seconds = expectedLockSeconds(nth);
    history.push(...fourBeforeLock(nth - 1, now), locking(nth, now, seconds));
    now = new Date(now.getTime() + seconds * 1000);
  }
  return { history, end: now };
}

describe('escalating lock-out', () => {
  it.each([
    [1, 300],
    [2, 600],
    [3, 1_200],
    [4, 2_400],
    [9, 76_800],
  ])('makes lock %i since the last success last %i s', (nth, seconds) => {
    const { history, end } = afterLocks(nth - 1);
    given(...history, ...fourBeforeLock(nth - 1, end))
      .when(verify(null, end))
      .then([locking(nth, end, seconds)]);
  });

  it.each([10, 11, 19])('caps lock %i at 24 h (MFA_LOCKOUT_MAX_SECONDS)', (nth) => {
    const { history, end } = afterLocks(nth - 1);
    given(...history, ...fourBeforeLock(nth - 1, end))
      .when(verify(null, end))
      .then([locking(nth, end, 86_400)]);
  });

  it('doubles and caps as configured, and stays finite however many locks', () => {
    const policy: LockoutPolicy = { ...DEFAULT_LOCKOUT_POLICY, lockoutSeconds: 60, maxLockoutSeconds: 200 };
    expect([1, 2, 3, 4].map((nth) => lockSeconds(policy, nth))).toEqual([60, 120, 200, 200]);
    expect(lockSeconds(DEFAULT_LOCKOUT_POLICY, 5_000)).toBe(86_400);
    withPolicy(policy)(...ACTIVE, ...fourBeforeLock(2, T0))
      .when(verify(null))
      .then([locking(3, T0, 200)]);
  });

  it('neither counts nor extends an escalated lock with attempts made while it holds', () => {
    const { history, end } = afterLocks(3); // lock 3 (1,200 s) holds until `end`
    const during = new Date(end.getTime() - 600_000);
    const standing = {
      reason: 'locked',
      failuresSinceSuccess: 15,
      locksSinceSuccess: 3,
      lockedUntil: iso(end),
    } as const;
    given(...history)
      .when(verify(timeStep(during, PERIOD), during))
      .then([failed(5, { now: during, ...standing })]);
    const attempts = [1, 2, 3].map((n) => failed(5, { now: new Date(during.getTime() + n * 1000), ...standing }));
    given(...history, ...attempts)
      .when(verify(null, end))
      .then([failed(1, { now: end, failuresSinceSuccess: 16, locksSinceSuccess: 3 })]);
  });

  it('starts again from 300 s after a success', () => {
    const { history, end } = afterLocks(4);
    const afterSuccess = [...history, verified(timeStep(end, PERIOD), end, EARLIER_LOGIN)];
    expect(stateFrom(afterSuccess)).toMatchObject({
      consecutiveFailures: 0,
      failuresSinceSuccess: 0,
      locksSinceSuccess: 0,
      lockedUntil: null,
    });
    given(...afterSuccess, ...fourBeforeLock(0, end))
      .when(verify(null, end))
      .then([locking(1, end, 300)]);
  });

  it('keeps escalating across an admin reset and a new enrollment (a reset is not a successful check)', () => {
    const { history, end } = afterLocks(2);
    const step = timeStep(end, PERIOD);
    const reEnrolled = [
      ...history,
      deactivatedByAdmin(end),
      started(end, 'enr-2', OTHER_SEALED),
      activated([step - 1, step], end, 'enr-2'),
    ];
    given(...reEnrolled, ...fourBeforeLock(2, end))
      .when(verify(null, end))
      .then([locking(3, end, 1_200)]);
  });
});

describe('lock until an admin reset', () => {
  const { history: NINETEEN_LOCKS, end: LAST_END } = afterLocks(19);
  const PERMANENT = {
    failuresSinceSuccess: 100,
    locksSinceSuccess: 20,
    lockedUntil: null,
    requiresAdminReset: true,
  } as const;
  const HUNDREDTH_FAILURE = failed(5, { now: LAST_END, ...PERMANENT });
  const PERMANENTLY_LOCKED = [...NINETEEN_LOCKS, ...fourBeforeLock(19, LAST_END), HUNDREDTH_FAILURE];
  const A_YEAR_LATER = new Date(LAST_END.getTime() + 365 * 86_400_000);

  it('locks with the 100th counted wrong code since the last success, answered still as a wrong code', () => {
    const scenario = given(...NINETEEN_LOCKS, ...fourBeforeLock(19, LAST_END)).when(verify(null, LAST_END));
    scenario.then([HUNDREDTH_FAILURE]);
    expect(rejectionOf(scenario.events())).toBeInstanceOf(InvalidCode);
  });

  it('refuses even the right code a year later, with mfa_locked and no time to retry', () => {
    const scenario = given(...PERMANENTLY_LOCKED).when(verify(timeStep(A_YEAR_LATER, PERIOD), A_YEAR_LATER));
    scenario.then([failed(5, { now: A_YEAR_LATER, reason: 'locked', ...PERMANENT })]);
    const rejection = rejectionOf(scenario.events());
    expect(rejection).toBeInstanceOf(MfaLocked);
    expect(rejection).toMatchObject({ code: 'mfa_locked', details: { lockedUntil: null, requiresAdminReset: true } });
    expect(rejection?.details).not.toHaveProperty('retryAfterSeconds');
  });

  it('refuses the user’s own deactivation alike', () => {
    const scenario = given(...PERMANENTLY_LOCKED).when(deactivate(timeStep(A_YEAR_LATER, PERIOD), A_YEAR_LATER));
    scenario.then([failed(5, { now: A_YEAR_LATER, purpose: 'deactivation', reason: 'locked', ...PERMANENT })]);
    expect(rejectionOf(scenario.events())).toBeInstanceOf(MfaLocked);
  });

  it('neither counts nor extends with attempts made while locked', () => {
    const attempt = failed(5, { now: A_YEAR_LATER, reason: 'locked', ...PERMANENT });
    given(...PERMANENTLY_LOCKED, attempt, attempt)
      .when(verify(null, A_YEAR_LATER))
      .then([attempt]);
  });

  it('follows MFA_PERMANENT_LOCK_AFTER, whether or not a timed lock came first', () => {
    const policy: LockoutPolicy = { ...DEFAULT_LOCKOUT_POLICY, permanentLockAfter: 3 };
    withPolicy(policy)(...ACTIVE, failed(1), failed(2))
      .when(verify(null))
      .then([failed(3, { locksSinceSuccess: 1, requiresAdminReset: true })]);
  });

  it('is lifted by an admin reset, which starts the lock-out afresh', () => {
    const resetAt = new Date(LAST_END.getTime() + 3_600_000);
    given(...PERMANENTLY_LOCKED)
      .when(reset(resetAt))
      .then([deactivatedByAdmin(resetAt)]);
    const afterReset = [...PERMANENTLY_LOCKED, deactivatedByAdmin(resetAt)];
    expect(stateFrom(afterReset)).toMatchObject({
      status: 'none',
      consecutiveFailures: 0,
      failuresSinceSuccess: 0,
      locksSinceSuccess: 0,
      lockedUntil: null,
      requiresAdminReset: false,
    });

    const step = timeStep(resetAt, PERIOD);
    const reEnrolled = [
      ...afterReset,
      started(resetAt, 'enr-2', OTHER_SEALED),
      activated([step - 1, step], resetAt, 'enr-2'),
    ];
    given(...reEnrolled)
      .when(verify(step + 1, resetAt))
      .then([verified(step + 1, resetAt)]);
    given(...reEnrolled, ...fourBeforeLock(0, resetAt))
      .when(verify(null, resetAt))
      .then([locking(1, resetAt, 300)]);
  });
});

// ---- single-use mfaToken --------------------------------------------------------

describe('single-use mfaToken', () => {
  const LATER = at(60);
  const L = C + 2;

  it('records the token id with the verification', () => {
    given(...ACTIVE)
      .when(verify(L, LATER, 'token-a'))
      .then([verified(L, LATER, 'token-a')]);
  });

  it('refuses a second success with the same token, whatever the code, recording nothing', () => {
    given(...ACTIVE, verified(L, LATER))
      .when(verify(L + 1, at(65)))
      .thenThrows(MfaTokenUsed, 'invalid_mfa_token');
    given(...ACTIVE, verified(L, LATER))
      .when(verify(null, at(65)))
      .thenThrows(MfaTokenUsed, 'invalid_mfa_token');
  });

  it('is not used up by a wrong or a replayed code: the user may type again', () => {
    const retyped = [failed(1, { now: LATER }), failed(2, { now: LATER, reason: 'replayed' })];
    given(...ACTIVE, ...retyped)
      .when(verify(L, at(65)))
      .then([verified(L, at(65))]);
  });

  it('lets another token of the same user verify', () => {
    given(...ACTIVE, verified(L, LATER, EARLIER_LOGIN))
      .when(verify(L + 1, at(65)))
      .then([verified(L + 1, at(65))]);
  });

  it('refuses a used token before any lock is looked at', () => {
    const lockedLater = [1, 2, 3, 4].map((n) => failed(n, { now: at(65), challengeId: 'token-b' }));
    given(...ACTIVE, verified(L, LATER), ...lockedLater, failed(5, { now: at(65), lockedUntil: iso(at(365)) }))
      .when(verify(L + 1, at(70)))
      .thenThrows(MfaTokenUsed, 'invalid_mfa_token');
  });

  it('remembers a used id while its token can still be valid, and forgets it after', () => {
    const retention = USED_CHALLENGE_RETENTION_SECONDS;
    expect(retention).toBeGreaterThan(MFA_TOKEN_TTL_SECONDS);
    const first = verified(L, LATER, 'token-a');
    expect(stateFrom([...ACTIVE, first, verified(L + 1, at(65), 'token-b')]).usedChallenges).toEqual([
      { id: 'token-a', until: iso(at(60 + retention)) },
      { id: 'token-b', until: iso(at(65 + retention)) },
    ]);
    const expiredAt = at(60 + retention);
    const next = verified(timeStep(expiredAt, PERIOD), expiredAt, 'token-c');
    expect(stateFrom([...ACTIVE, first, next]).usedChallenges).toEqual([
      { id: 'token-c', until: iso(at(60 + 2 * retention)) },
    ]);
  });

  it('holds the ids of a few minutes only, however many logins', () => {
    const logins = Array.from({ length: 1_000 }, (_, i) => verified(C + 1 + i, at(30 * (i + 1)), `token-${i}`));
    const state = stateFrom([...ACTIVE, ...logins]);
    expect(state.usedChallenges.length).toBeLessThanOrEqual(Math.ceil(USED_CHALLENGE_RETENTION_SECONDS / PERIOD) + 1);
    expect(state.usedChallenges.at(-1)?.id).toBe('token-999');
  });
});

// ---- state, status, purity ------------------------------------------------------

describe('state', () => {
  const decider = mfaEnrollmentDecider();

  /** Runs commands as a handler would (decide on the folded state, then evolve), keeping every event. */
  function run(commands: readonly MfaEnrollmentCommand[]): { events: MfaEnrollmentEvent[]; state: MfaEnrollmentState } {
    let state = decider.initialState();
    const events: MfaEnrollmentEvent[] = [];
    for (const command of commands) {
      for (const event of decider.decide(command, state)) {
        events.push(event);
        state = decider.evolve(state, event);
      }
    }
    return { events, state };
  }

  const journey = [
    start(),
    activate([C, C + 1], at(30)),
    verify(null, at(60), 'token-1'),
    verify(C + 2, at(65), 'token-1'), // a wrong code does not use the token up
    verify(C + 2, at(70), 'token-2'),
    deactivate(C + 3, at(90)),
    start(at(100), 'enr-2', OTHER_SEALED),
    activate([C + 3, C + 4], at(120)),
  ];

  it('is rebuilt from the events alone', () => {
    const { events, state } = run(journey);
    expect(events.map((e) => e.type)).toEqual([
      'MfaEnrollmentStarted',
      'MfaActivated',
      'RecoveryCodesGenerated',
      'MfaChallengeFailed',
      'MfaChallengeVerified',
      'MfaChallengeFailed',
      'MfaDeactivated',
      'MfaEnrollmentStarted',
      'MfaActivated',
      'RecoveryCodesGenerated',
    ]);
    expect(stateFrom(events)).toEqual(state);
    expect(state).toEqual({
      status: 'active',
      enrollment: {
        enrollmentId: 'enr-2',
        secret: OTHER_SEALED,
        algorithm: 'SHA1',
        digits: 6,
        period: PERIOD,
        issuer: 'Acme',
        label: 'ann@example.com',
        activatedAt: iso(at(120)),
      },
      lastUsedStep: C + 4,
      consecutiveFailures: 0,
      failuresSinceSuccess: 0,
      locksSinceSuccess: 0,
      lockedUntil: null,
      requiresAdminReset: false,
      usedChallenges: [{ id: 'token-1', until: iso(at(65 + USED_CHALLENGE_RETENTION_SECONDS)) }],
      recoveryCodes: { ...SET_1, usedIndexes: [] },
    });
  });

  it('survives a JSON round trip (snapshots), as do the events', () => {
    const { events, state } = run([
      ...journey,
      verify(null, at(150)),
      ...Array.from({ length: 4 }, () => verify(null, at(151))),
    ]);
    expect(state.lockedUntil).not.toBeNull();
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    expect(JSON.parse(JSON.stringify(events))).toEqual(events);
    expect(stateFrom(JSON.parse(JSON.stringify(events)) as MfaEnrollmentEvent[])).toEqual(state);
  });

  it('never mutates the state or the events it is given', () => {
    for (const history of [ACTIVE, LOCKED, [started()]]) {
      const before = stateFrom(history);
      const snapshot = structuredClone(before);
      const historyCopy = structuredClone(history);
      for (const command of [verify(C + 1), verify(null), activate([C - 1, C]), deactivate(C + 1), reset(), start()]) {
        let events: MfaEnrollmentEvent[] = [];
        try {
          events = decider.decide(command, before);
        } catch {
          // a refusal records nothing
        }
        events.reduce(decider.evolve, before);
      }
      expect(before).toEqual(snapshot);
      expect(history).toEqual(historyCopy);
    }
  });

  it('restarts replay protection with a new secret', () => {
    expect(stateFrom([...ACTIVE, deactivatedByAdmin(), started(at(10), 'enr-2')]).lastUsedStep).toBeNull();
  });

  it('ignores an activation of another enrollment than the pending one', () => {
    const pending = stateFrom([started(T0, 'enr-2')]);
    expect(decider.evolve(pending, activated([C - 1, C], T0, 'enr-1'))).toEqual(pending);
  });
});

describe('statusOf', () => {
  it('reads none as inactive', () => {
    expect(statusOf(stateFrom([]), T0)).toEqual({
      status: 'inactive',
      activatedAt: null,
      recoveryCodesRemaining: null,
    });
  });

  it('reads a pending enrollment as pending until it expires, then as inactive', () => {
    const state = stateFrom([started(T0)]);
    expect(statusOf(state, at(TTL - 1))).toEqual({
      status: 'pending',
      activatedAt: null,
      recoveryCodesRemaining: null,
    });
    expect(statusOf(state, at(TTL))).toEqual({ status: 'inactive', activatedAt: null, recoveryCodesRemaining: null });
  });

  it('reads an active enrollment as active with its activation time and its unused recovery codes', () => {
    expect(statusOf(stateFrom([...ACTIVE, generated()]), at(30))).toEqual({
      status: 'active',
      activatedAt: iso(T0),
      recoveryCodesRemaining: 10,
    });
    expect(statusOf(stateFrom([...ACTIVE, generated(), recoveryCodeUsed(4, 9, at(30))]), at(30))).toMatchObject({
      recoveryCodesRemaining: 9,
    });
  });

  it('reads an enrollment activated before recovery codes existed as having none left', () => {
    expect(statusOf(stateFrom(ACTIVE), at(30))).toEqual({
      status: 'active',
      activatedAt: iso(T0),
      recoveryCodesRemaining: 0,
    });
  });

  it('reads a deactivated enrollment as inactive', () => {
    expect(statusOf(stateFrom([...ACTIVE, deactivatedByUser(C + 1)]), at(30)).status).toBe('inactive');
  });
});

describe('rejectionOf', () => {
  it('maps failures to the DESIGN.md error codes', () => {
    expect(rejectionOf([failed(0, { purpose: 'activation' })])?.code).toBe('invalid_codes');
    expect(rejectionOf([failed(1, { purpose: 'login' })])?.code).toBe('invalid_code');
    expect(rejectionOf([failed(1, { purpose: 'deactivation', reason: 'replayed' })])?.code).toBe('invalid_code');
    expect(rejectionOf([failed(5, { reason: 'locked', lockedUntil: iso(LOCK_END) })])?.code).toBe('mfa_locked');
    expect(rejectionOf([verified(C)])).toBeNull();
    expect(rejectionOf([])).toBeNull();
  });

  it('gives the other refusals their codes too', () => {
    const codes = [
      new MfaAlreadyActive(),
      new NoPendingEnrollment(),
      new InvalidCodes(),
      new InvalidCode(),
      new ConfirmationRequired(),
      new MfaLocked(iso(LOCK_END), T0),
      new MfaNotActive(),
    ].map((error) => [error.constructor.name, error.code]);
    expect(codes).toEqual([
      ['MfaAlreadyActive', 'mfa_already_active'],
      ['NoPendingEnrollment', 'no_pending_enrollment'],
      ['InvalidCodes', 'invalid_codes'],
      ['InvalidCode', 'invalid_code'],
      ['ConfirmationRequired', 'confirmation_required'],
      ['MfaLocked', 'mfa_locked'],
      ['MfaNotActive', 'mfa_not_active'],
    ]);
  });
});
