import { describe, expect, it } from 'vitest';
import { deciderSpec } from '#testing';
import { timeStep } from '../totp/time-step.js';
import type { SealedSecret } from '../totp/secret-cipher.js';
import type { MfaEnrollmentCommand } from './mfa-enrollment.commands.js';
import { DEFAULT_LOCKOUT_POLICY, mfaEnrollmentDecider, type LockoutPolicy } from './mfa-enrollment.decider.js';
import {
  ConfirmationRequired,
  InvalidCode,
  InvalidCodes,
  MfaAlreadyActive,
  MfaLocked,
  MfaNotActive,
  NoPendingEnrollment,
} from './mfa-enrollment.errors.js';
import type {
  ChallengeContext,
  ChallengeFailureReason,
  ChallengePurpose,
  MfaEnrollmentEvent,
} from './mfa-enrollment.events.js';
import { rejectionOf } from './mfa-enrollment.rejection.js';
import { stateFrom, statusOf, type MfaEnrollmentState } from './mfa-enrollment.state.js';

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
const activate = (steps: readonly [number | null, number | null], now = T0): MfaEnrollmentCommand => ({
  type: 'Activate',
  data: { now, steps, context: CTX },
});
const verify = (matchedStep: number | null, now = T0): MfaEnrollmentCommand => ({
  type: 'VerifyChallenge',
  data: { now, matchedStep, context: CTX },
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
const verified = (step: number, now = T0): MfaEnrollmentEvent => ({
  type: 'MfaChallengeVerified',
  data: { step, verifiedAt: iso(now), context: CTX },
});
const failed = (
  consecutiveFailures: number,
  options: {
    now?: Date;
    reason?: ChallengeFailureReason;
    purpose?: ChallengePurpose;
    lockedUntil?: string | null;
  } = {},
): MfaEnrollmentEvent => ({
  type: 'MfaChallengeFailed',
  data: {
    purpose: options.purpose ?? 'login',
    reason: options.reason ?? 'invalid_code',
    failedAt: iso(options.now ?? T0),
    consecutiveFailures,
    lockedUntil: options.lockedUntil ?? null,
    context: CTX,
  },
});
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
      .then([activated([C - 1, C], T0, 'enr-2')]);
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
      .then([activated([first, second])]);
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
      .then([activated([stepJustBefore - 1, stepJustBefore], justBefore)]);
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
      .then([activated([C - 1, C])]);
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
      .then([activated([step - 1, step], now, 'enr-2')]);
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
      const scenario = given(...ACTIVE, verified(L, LATER)).when(verify(L, at(65)));
      scenario.then([failed(1, { now: at(65), reason: 'replayed' })]);
    });

    it('refuses a lower step after a higher one', () => {
      given(...ACTIVE, verified(L + 1, LATER))
        .when(verify(L, at(65)))
        .then([failed(1, { now: at(65), reason: 'replayed' })]);
    });

    it('accepts the next step after a used one', () => {
      given(...ACTIVE, verified(L, LATER))
        .when(verify(L + 1, at(65)))
        .then([verified(L + 1, at(65))]);
    });

    it('answers a replay exactly like a wrong code', () => {
      const replay = rejectionOf(
        given(...ACTIVE, verified(L, LATER))
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
      given(...ACTIVE, verified(L, LATER), ...FOUR_FAILURES)
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
        details: { lockedUntil: iso(LOCK_END), retryAfterSeconds: DEFAULT_LOCKOUT_POLICY.lockoutSeconds - 30 },
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

    it('starts counting again from one after the lock has expired', () => {
      const scenario = given(...LOCKED).when(verify(null, LOCK_END));
      scenario.then([failed(1, { now: LOCK_END })]);
      const after = at(400);
      given(...LOCKED, failed(1, { now: LOCK_END }))
        .when(verify(null, after))
        .then([failed(2, { now: after })]);
    });

    it('is reset by a success', () => {
      const history = [...ACTIVE, ...FOUR_FAILURES, verified(C + 1), ...FOUR_FAILURES];
      given(...history)
        .when(verify(null))
        .then([failed(5, { lockedUntil: iso(LOCK_END) })]);
      given(...ACTIVE, ...FOUR_FAILURES, verified(C + 1))
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
      const givenStrict = withPolicy({ maxFailedAttempts: 3, lockoutSeconds: 60 });
      givenStrict(...ACTIVE, failed(1), failed(2))
        .when(verify(null))
        .then([failed(3, { lockedUntil: iso(at(60)) })]);
      expect(() => mfaEnrollmentDecider({ maxFailedAttempts: 0, lockoutSeconds: 60 })).toThrow(RangeError);
      expect(() => mfaEnrollmentDecider({ maxFailedAttempts: 5, lockoutSeconds: 1.5 })).toThrow(RangeError);
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
    expect(scenario.state()).toEqual({ status: 'none', lastUsedStep: step, consecutiveFailures: 0, lockedUntil: null });
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
    expect(state).toEqual({ status: 'none', lastUsedStep: C, consecutiveFailures: 5, lockedUntil: iso(LOCK_END) });
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
    verify(null, at(60)),
    verify(C + 2, at(65)),
    verify(C + 2, at(70)),
    deactivate(C + 3, at(90)),
    start(at(100), 'enr-2', OTHER_SEALED),
    activate([C + 3, C + 4], at(120)),
  ];

  it('is rebuilt from the events alone', () => {
    const { events, state } = run(journey);
    expect(events.map((e) => e.type)).toEqual([
      'MfaEnrollmentStarted',
      'MfaActivated',
      'MfaChallengeFailed',
      'MfaChallengeVerified',
      'MfaChallengeFailed',
      'MfaDeactivated',
      'MfaEnrollmentStarted',
      'MfaActivated',
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
      lockedUntil: null,
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
    expect(statusOf(stateFrom([]), T0)).toEqual({ status: 'inactive', activatedAt: null });
  });

  it('reads a pending enrollment as pending until it expires, then as inactive', () => {
    const state = stateFrom([started(T0)]);
    expect(statusOf(state, at(TTL - 1))).toEqual({ status: 'pending', activatedAt: null });
    expect(statusOf(state, at(TTL))).toEqual({ status: 'inactive', activatedAt: null });
  });

  it('reads an active enrollment as active with its activation time', () => {
    expect(statusOf(stateFrom(ACTIVE), at(30))).toEqual({ status: 'active', activatedAt: iso(T0) });
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
