import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MfaRpc } from '#contracts';
import { mfaStreamName } from '../mfa-enrollment/mfa-enrollment.events.js';
import type { ServiceUnderTest } from '#testing';
import {
  activeUser,
  appCode,
  CONTEXT,
  currentStep,
  recoveryCodesOf,
  startMfaService,
  wrongCode,
} from '../mfa.testing.js';

describe('mfa.regenerate-recovery-codes', () => {
  let service: ServiceUnderTest<'mfa'>;
  let secret: string;
  let codes: readonly string[];
  const regenerate = (code: string, userId = 'u1') =>
    service.call(MfaRpc.regenerateRecoveryCodes, { userId, code, context: CONTEXT });
  const useRecoveryCode = (recoveryCode: string) =>
    service.call(MfaRpc.verifyRecoveryCode, {
      userId: 'u1',
      recoveryCode,
      context: CONTEXT,
      challengeId: crypto.randomUUID(),
    });
  const wrong = () => wrongCode(secret, [currentStep(service) - 1, currentStep(service), currentStep(service) + 1]);

  beforeEach(async () => {
    service = await startMfaService({ env: { MFA_MAX_FAILED_ATTEMPTS: '5' } });
    ({ secret, recoveryCodes: codes } = await activeUser(service, 'u1'));
    service.clock.advanceSeconds(30); // the steps used to activate are spent
  });
  afterEach(() => service.close({ removeData: true }));

  it('replaces the set with ten new codes for a current code: the old ones stop working, the new ones work', async () => {
    await useRecoveryCode(codes[0]!);
    expect(await service.ok(MfaRpc.getStatus, { userId: 'u1' })).toMatchObject({ recoveryCodesRemaining: 9 });

    const answer = await regenerate(appCode(secret, currentStep(service)));
    expect(answer).toEqual({
      ok: true,
      value: { recoveryCodes: expect.any(String), generatedAt: service.clock.now().toISOString() },
    });
    const fresh = recoveryCodesOf(answer.ok ? answer.value : { recoveryCodes: null });
    expect(fresh).toHaveLength(10);
    expect(fresh.filter((code) => codes.includes(code))).toEqual([]);
    expect(await service.ok(MfaRpc.getStatus, { userId: 'u1' })).toMatchObject({ recoveryCodesRemaining: 10 });

    for (const old of codes.slice(1, 4))
      expect(await useRecoveryCode(old)).toMatchObject({ error: { code: 'invalid_code' } });
    expect(await useRecoveryCode(fresh[0]!)).toMatchObject({ ok: true });
  });

  it('records the code check (its step is spent) and the new hashes, in that order', async () => {
    const step = currentStep(service);
    await regenerate(appCode(secret, step));

    const [verified, generated] = (await service.store.read(mfaStreamName('u1'))).slice(-2);
    expect(verified).toMatchObject({ type: 'MfaChallengeVerified', data: { step, context: CONTEXT } });
    expect(generated).toMatchObject({
      type: 'RecoveryCodesGenerated',
      data: { reason: 'regenerated', generatedAt: service.clock.now().toISOString() },
    });
    expect(await regenerate(appCode(secret, step))).toMatchObject({ error: { code: 'invalid_code' } });
    const login = await service.call(MfaRpc.verifyChallenge, {
      userId: 'u1',
      code: appCode(secret, step),
      context: CONTEXT,
      challengeId: crypto.randomUUID(),
    });
    expect(login).toMatchObject({ error: { code: 'invalid_code' } });
  });

  it('refuses a wrong code with invalid_code, keeping the set, and counts it toward the lock-out', async () => {
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      expect(await regenerate(wrong())).toMatchObject({ error: { code: 'invalid_code' } });
    }
    expect(await regenerate(appCode(secret, currentStep(service)))).toMatchObject({ error: { code: 'mfa_locked' } });
    const failures = (await service.store.read(mfaStreamName('u1'))).filter(
      (event) => event.type === 'MfaChallengeFailed',
    );
    expect(failures.map((event) => [event.data['purpose'], event.data['consecutiveFailures']])).toEqual([
      ['regeneration', 1],
      ['regeneration', 2],
      ['regeneration', 3],
      ['regeneration', 4],
      ['regeneration', 5],
      ['regeneration', 5],
    ]);
    expect(await useRecoveryCode(codes[0]!)).toMatchObject({ error: { code: 'mfa_locked' } });
  });

  it('answers mfa_not_active without an active enrollment', async () => {
    expect(await regenerate('123456', 'nobody')).toMatchObject({ error: { code: 'mfa_not_active' } });
  });

  it('answers a malformed code with invalid_payload', async () => {
    expect(await regenerate('12345')).toMatchObject({ error: { code: 'invalid_payload' } });
  });
});
