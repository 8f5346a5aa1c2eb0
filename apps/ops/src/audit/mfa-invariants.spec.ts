import { describe, expect, it } from 'vitest';
import type { MfaEnrollmentEvent } from '../../../mfa/src/mfa-enrollment/mfa-enrollment.events.js';
import { stateFrom } from '../../../mfa/src/mfa-enrollment/mfa-enrollment.state.js';
import { mfaInvariantBreaks } from './mfa-invariants.js';

const T = Date.parse('2026-03-02T10:00:05Z');
const at = (seconds: number) => new Date(T + seconds * 1000).toISOString();
const stepAt = (seconds: number) => Math.floor((T + seconds * 1000) / 30_000);
const CONTEXT = { ip: '198.51.100.4', userAgent: 'spec' };

const started: MfaEnrollmentEvent = {
  type: 'MfaEnrollmentStarted',
  data: {
    enrollmentId: 'n1',
    secret: { keyId: 'k', iv: 'iv', ciphertext: 'c', tag: 't' },
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    issuer: 'spec',
    label: 'ann@example.org',
    startedAt: at(0),
    expiresAt: at(600),
  },
};
const activated = (steps: [number, number], enrollmentId = 'n1'): MfaEnrollmentEvent => ({
  type: 'MfaActivated',
  data: { enrollmentId, activatedAt: at(30), steps },
});
const verified = (seconds: number, step = stepAt(seconds)): MfaEnrollmentEvent => ({
  type: 'MfaChallengeVerified',
  data: { step, verifiedAt: at(seconds), challengeId: crypto.randomUUID(), context: CONTEXT },
});
const lockingFailure = (seconds: number, lockedFor: number): MfaEnrollmentEvent => ({
  type: 'MfaChallengeFailed',
  data: {
    purpose: 'login',
    reason: 'invalid_code',
    failedAt: at(seconds),
    consecutiveFailures: 5,
    failuresSinceSuccess: 5,
    locksSinceSuccess: 1,
    lockedUntil: at(seconds + lockedFor),
    requiresAdminReset: false,
    challengeId: null,
    context: CONTEXT,
  },
});
const ok = activated([stepAt(30) - 1, stepAt(30)]);

/** The breaks of `event` on the state after `history`, as verify sees them. */
const breaksOf = (history: MfaEnrollmentEvent[], event: MfaEnrollmentEvent) =>
  mfaInvariantBreaks(stateFrom(history), event);

describe('the MFA rules verify holds stored events to', () => {
  it('finds nothing in a stream the decider could have written', () => {
    const history = [started, ok, verified(90), lockingFailure(150, 300)];
    expect(breaksOf([started], ok)).toEqual([]);
    expect(breaksOf([started, ok], verified(90))).toEqual([]);
    expect(breaksOf(history, verified(460))).toEqual([]); // the lock is over
  });

  it('refuses an activation without two consecutive steps, or of another enrollment', () => {
    expect(breaksOf([started], activated([stepAt(30) - 1, stepAt(30) + 1]))).toEqual([
      expect.stringContaining('without two consecutive time-steps'),
    ]);
    expect(breaksOf([started], activated([stepAt(30) - 1, stepAt(30)], 'n2'))).toEqual([
      expect.stringContaining('not the pending one'),
    ]);
  });

  it('refuses a step accepted twice, or out of reach of the time it was accepted', () => {
    expect(breaksOf([started, ok], verified(35, stepAt(30)))).toEqual([expect.stringContaining('accepted again')]);
    expect(breaksOf([started, ok], verified(900, stepAt(800)))).toEqual([expect.stringContaining('more than 1 away')]);
  });

  it('refuses a code, a recovery code or a deactivation with a code while locked', () => {
    const codes: MfaEnrollmentEvent = {
      type: 'RecoveryCodesGenerated',
      data: { keyId: 'k', hashes: ['h0', 'h1'], generatedAt: at(30), reason: 'activation' },
    };
    const locked = [started, ok, codes, lockingFailure(60, 300)];
    expect(breaksOf(locked, verified(120))).toEqual([expect.stringContaining('while locked until')]);
    const recovery: MfaEnrollmentEvent = {
      type: 'RecoveryCodeUsed',
      data: { index: 0, usedAt: at(120), challengeId: 'c', context: CONTEXT, remaining: 9 },
    };
    expect(breaksOf(locked, recovery)).toEqual([expect.stringContaining('recovery code accepted')]);
    const byUser: MfaEnrollmentEvent = {
      type: 'MfaDeactivated',
      data: { deactivatedAt: at(120), by: { kind: 'user', step: stepAt(120), context: CONTEXT } },
    };
    expect(breaksOf(locked, byUser)).toEqual([expect.stringContaining('deactivated with a code')]);
    const byAdmin: MfaEnrollmentEvent = {
      type: 'MfaDeactivated',
      data: { deactivatedAt: at(120), by: { kind: 'admin', adminId: 'a', reason: 'phone lost' } },
    };
    expect(breaksOf(locked, byAdmin)).toEqual([]);
  });

  it('refuses an mfaToken accepted twice, and a recovery code used twice or not of the set', () => {
    const challengeId = crypto.randomUUID();
    const first: MfaEnrollmentEvent = {
      ...verified(90),
      data: { ...verified(90).data, challengeId },
    } as MfaEnrollmentEvent;
    const again: MfaEnrollmentEvent = {
      ...verified(125),
      data: { ...verified(125).data, challengeId },
    } as MfaEnrollmentEvent;
    expect(breaksOf([started, ok], first)).toEqual([]);
    expect(breaksOf([started, ok, first], again)).toEqual([
      expect.stringContaining(`mfaToken ${challengeId} accepted again`),
    ]);

    const codes: MfaEnrollmentEvent = {
      type: 'RecoveryCodesGenerated',
      data: { keyId: 'k', hashes: ['h0', 'h1', 'h2'], generatedAt: at(30), reason: 'activation' },
    };
    const used = (index: number): MfaEnrollmentEvent => ({
      type: 'RecoveryCodeUsed',
      data: { index, usedAt: at(200), challengeId: crypto.randomUUID(), context: CONTEXT, remaining: 2 },
    });
    expect(breaksOf([started, ok, codes], used(1))).toEqual([]);
    expect(breaksOf([started, ok, codes, used(1)], used(1))).toEqual([
      expect.stringContaining('recovery code 1 accepted again'),
    ]);
    expect(breaksOf([started, ok, codes], used(7))).toEqual([expect.stringContaining('not in the current set')]);
  });
});
