/**
 * The decider with the real TOTP and cipher, wired as a handler wires them:
 * seal the secret, decrypt it to match codes to steps, decide, evolve. Checks
 * that the codes the app shows are accepted end to end and that no event
 * carries the secret or a code.
 */
import { describe, expect, it } from 'vitest';
import { recoveryCodeHashes } from '../recovery-codes/recovery-codes.testing.js';
import { generateEncryptionKey, SecretCipher } from '../totp/secret-cipher.js';
import { codeAt, DEFAULT_TOTP_PARAMETERS, generateSecret, matchStep } from '../totp/totp.js';
import type { MfaEnrollmentCommand } from './mfa-enrollment.commands.js';
import { ACCEPTED_DRIFT_STEPS, mfaEnrollmentDecider } from './mfa-enrollment.decider.js';
import { InvalidCode } from './mfa-enrollment.errors.js';
import type { MfaEnrollmentEvent } from './mfa-enrollment.events.js';
import { rejectionOf } from './mfa-enrollment.rejection.js';
import { statusOf, type MfaEnrollmentState } from './mfa-enrollment.state.js';

const USER_ID = 'user-42';
const CONTEXT = { ip: '198.51.100.4', userAgent: 'Mozilla/5.0' };

function leaves(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.flatMap(leaves);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(leaves);
  return [value];
}

describe('MFA enrollment with real TOTP codes and sealed secrets', () => {
  const decider = mfaEnrollmentDecider();
  const cipher = new SecretCipher({ current: generateEncryptionKey() });
  const secret = generateSecret();
  const t0 = new Date('2025-06-02T10:00:05Z');
  const at = (seconds: number): Date => new Date(t0.getTime() + seconds * 1000);
  /** What the user's authenticator app shows at `now`. */
  const appCode = (now: Date): string => codeAt({ secret, now, ...DEFAULT_TOTP_PARAMETERS });

  let state: MfaEnrollmentState = decider.initialState();
  const history: MfaEnrollmentEvent[] = [];
  const handle = (command: MfaEnrollmentCommand): MfaEnrollmentEvent[] => {
    const events = decider.decide(command, state);
    history.push(...events);
    state = events.reduce(decider.evolve, state);
    return events;
  };
  /** The handler's half: decrypt the enrollment's secret and find the step of a typed code. */
  const stepOf = (code: string, now: Date): number | null => {
    if (state.status === 'none') throw new Error('no enrollment');
    const { secret: sealed, algorithm, digits, period } = state.enrollment;
    const plaintext = cipher.decrypt(sealed, USER_ID);
    return matchStep({ secret: plaintext, code, now, algorithm, digits, period, window: ACCEPTED_DRIFT_STEPS });
  };

  const usedCodes: string[] = [];

  it('walks enrol → activate → log in → replay refused → deactivate', () => {
    handle({
      type: 'StartEnrollment',
      data: {
        now: t0,
        enrollmentId: 'enr-1',
        secret: cipher.encrypt(secret, USER_ID),
        ...DEFAULT_TOTP_PARAMETERS,
        issuer: 'Acme',
        label: 'ann@example.com',
        ttlSeconds: 600,
      },
    });
    expect(statusOf(state, t0).status).toBe('pending');

    // The user reads one code (10:00:25), waits for the next (10:00:35) and submits both.
    const code1 = appCode(at(20));
    const code2 = appCode(at(30));
    const activation = handle({
      type: 'Activate',
      data: {
        now: at(35),
        steps: [stepOf(code1, at(35)), stepOf(code2, at(35))],
        recoveryCodes: recoveryCodeHashes(),
        context: CONTEXT,
      },
    });
    expect(activation.map((e) => e.type)).toEqual(['MfaActivated', 'RecoveryCodesGenerated']);
    expect(statusOf(state, at(35))).toEqual({
      status: 'active',
      activatedAt: at(35).toISOString(),
      recoveryCodesRemaining: 10,
    });

    // The code used for activation cannot log in.
    const reuse = handle({
      type: 'VerifyChallenge',
      data: { now: at(36), matchedStep: stepOf(code2, at(36)), challengeId: crypto.randomUUID(), context: CONTEXT },
    });
    expect(rejectionOf(reuse)).toBeInstanceOf(InvalidCode);

    const login = appCode(at(90));
    expect(
      rejectionOf(
        handle({
          type: 'VerifyChallenge',
          data: { now: at(90), matchedStep: stepOf(login, at(90)), challengeId: crypto.randomUUID(), context: CONTEXT },
        }),
      ),
    ).toBeNull();
    const replay = handle({
      type: 'VerifyChallenge',
      data: { now: at(95), matchedStep: stepOf(login, at(95)), challengeId: crypto.randomUUID(), context: CONTEXT },
    });
    expect(replay).toMatchObject([{ type: 'MfaChallengeFailed', data: { reason: 'replayed' } }]);
    expect(rejectionOf(replay)).toBeInstanceOf(InvalidCode);

    // A code from the previous step, typed just after the step changed, is still accepted once.
    const lateCode = appCode(at(144)); // 10:02:29, the last second of its step
    const late = handle({
      type: 'VerifyChallenge',
      data: {
        now: at(150),
        matchedStep: stepOf(lateCode, at(150)),
        challengeId: crypto.randomUUID(),
        context: CONTEXT,
      },
    });
    expect(late.map((e) => e.type)).toEqual(['MfaChallengeVerified']);

    const confirmCode = appCode(at(180));
    const off = handle({
      type: 'Deactivate',
      data: { now: at(180), matchedStep: stepOf(confirmCode, at(180)), confirm: true, context: CONTEXT },
    });
    expect(off.map((e) => e.type)).toEqual(['MfaDeactivated']);
    expect(statusOf(state, at(180)).status).toBe('inactive');

    usedCodes.push(code1, code2, login, lateCode, confirmCode);
  });

  it('recorded neither the secret nor any code in the events', () => {
    expect(history.length).toBeGreaterThanOrEqual(7);
    const json = JSON.stringify(history);
    expect(json).not.toContain(secret);
    expect(json.toLowerCase()).not.toContain(secret.toLowerCase());
    const values = leaves(history);
    for (const code of usedCodes) {
      expect(values).not.toContain(code);
      expect(values).not.toContain(Number(code));
    }
  });

  it('cannot open the sealed secret as another user', () => {
    const [first] = history;
    if (first?.type !== 'MfaEnrollmentStarted') throw new Error('expected the enrollment first');
    expect(() => cipher.decrypt(first.data.secret, 'user-43')).toThrow();
    expect(cipher.decrypt(first.data.secret, USER_ID)).toBe(secret);
  });
});
