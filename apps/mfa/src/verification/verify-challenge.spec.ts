import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MfaRpc } from '#contracts';
import { mfaStreamName } from '../mfa-enrollment/mfa-enrollment.events.js';
import type { ServiceUnderTest } from '#testing';
import { activeUser, appCode, CONTEXT, currentStep, startMfaService, wrongCode } from '../mfa.testing.js';

describe('mfa.verify-challenge', () => {
  let service: ServiceUnderTest<'mfa'>;
  let secret: string;
  const verify = (code: string, userId = 'u1') =>
    service.call(MfaRpc.verifyChallenge, { userId, code, context: CONTEXT });
  const storedTypes = async (userId = 'u1') =>
    (await service.store.read(mfaStreamName(userId))).map((event) => [event.type, event.data['reason']]);

  beforeEach(async () => {
    service = await startMfaService({ env: { MFA_MAX_FAILED_ATTEMPTS: '5', MFA_LOCKOUT_SECONDS: '300' } });
    ({ secret } = await activeUser(service, 'u1'));
    service.clock.advanceSeconds(30); // the steps used to activate are spent
  });
  afterEach(() => service.close({ removeData: true }));

  it('accepts the code the app shows now and records the step and the login context', async () => {
    expect(await verify(appCode(secret, currentStep(service)))).toEqual({ ok: true, value: { verified: true } });

    const verified = (await service.store.read(mfaStreamName('u1'))).at(-1);
    expect(verified).toMatchObject({
      type: 'MfaChallengeVerified',
      data: { step: currentStep(service), verifiedAt: service.clock.now().toISOString(), context: CONTEXT },
    });
  });

  it('does not act on a request whose caller has stopped waiting: the code stays unused, nothing is recorded', async () => {
    const code = appCode(secret, currentStep(service));
    const before = await storedTypes();
    const late = await service.call(
      MfaRpc.verifyChallenge,
      { userId: 'u1', code, context: CONTEXT },
      { timeoutMs: -1 },
    );
    expect(late).toMatchObject({ ok: false, error: { code: 'service_unavailable' } });
    expect(await storedTypes()).toEqual(before);
    expect(await verify(code)).toEqual({ ok: true, value: { verified: true } });
  });

  it('answers a replayed code exactly like a wrong one; only the event tells them apart', async () => {
    const code = appCode(secret, currentStep(service));
    await verify(code);

    const replayed = await verify(code);
    const wrong = await verify(
      wrongCode(secret, [currentStep(service) - 1, currentStep(service), currentStep(service) + 1]),
    );

    expect(replayed).toEqual({ ok: false, error: { code: 'invalid_code', message: 'the code is not valid' } });
    expect(wrong).toEqual(replayed);
    expect((await storedTypes()).slice(-2)).toEqual([
      ['MfaChallengeFailed', 'replayed'],
      ['MfaChallengeFailed', 'invalid_code'],
    ]);
  });

  it('refuses the codes used to activate', async () => {
    const activationStep = currentStep(service) - 1;
    expect(await verify(appCode(secret, activationStep))).toMatchObject({ ok: false, error: { code: 'invalid_code' } });
  });

  it('accepts one step of drift either way, not two, and never a step below one already used', async () => {
    service.clock.advanceSeconds(90);
    const now = currentStep(service);

    expect(await verify(appCode(secret, now - 2))).toMatchObject({ error: { code: 'invalid_code' } });
    expect(await verify(appCode(secret, now + 2))).toMatchObject({ error: { code: 'invalid_code' } });
    expect(await verify(appCode(secret, now - 1))).toMatchObject({ ok: true });
    expect(await verify(appCode(secret, now + 1))).toMatchObject({ ok: true });
    expect(await verify(appCode(secret, now))).toMatchObject({ error: { code: 'invalid_code' } });
  });

  it('of 8 simultaneous verifications of one code, lets exactly one through', async () => {
    const code = appCode(secret, currentStep(service));

    const results = await Promise.all(Array.from({ length: 8 }, () => verify(code)));

    expect(results.filter((result) => result.ok)).toHaveLength(1);
    for (const result of results.filter((r) => !r.ok)) {
      // The replays count toward the lock-out: the fifth sets it, the later ones meet it.
      expect(['invalid_code', 'mfa_locked']).toContain(result.ok ? null : result.error.code);
    }
    expect((await storedTypes()).filter(([type]) => type === 'MfaChallengeVerified')).toHaveLength(1);
  });

  describe('lock-out', () => {
    const wrong = () => wrongCode(secret, [currentStep(service) - 1, currentStep(service), currentStep(service) + 1]);

    it('locks with the fifth wrong code in a row, then refuses even the right code with mfa_locked', async () => {
      for (let attempt = 1; attempt <= 5; attempt += 1) {
        expect(await verify(wrong())).toMatchObject({ ok: false, error: { code: 'invalid_code' } });
      }
      const lockedUntil = new Date(service.clock.now().getTime() + 300_000).toISOString();
      service.clock.advanceSeconds(40);

      const right = await verify(appCode(secret, currentStep(service)));
      expect(right).toEqual({
        ok: false,
        error: {
          code: 'mfa_locked',
          message: `too many wrong codes; try again after ${lockedUntil}`,
          details: { lockedUntil, retryAfterSeconds: 260 },
        },
      });
      // While locked the answer tells nothing about the code either.
      const wrongWhileLocked = await verify(wrong());
      expect(wrongWhileLocked).toEqual(right);
    });

    it('holds until the lock expires; then the right code is accepted and the count starts again', async () => {
      for (let attempt = 1; attempt <= 5; attempt += 1) await verify(wrong());
      service.clock.advanceSeconds(299);
      expect(await verify(appCode(secret, currentStep(service)))).toMatchObject({ error: { code: 'mfa_locked' } });

      service.clock.advanceSeconds(1);
      expect(await verify(appCode(secret, currentStep(service)))).toEqual({ ok: true, value: { verified: true } });
      for (let attempt = 1; attempt <= 4; attempt += 1) {
        expect(await verify(wrong())).toMatchObject({ error: { code: 'invalid_code' } });
      }
    });

    it('is reset by a success: four wrong, one right, four wrong do not lock', async () => {
      for (let attempt = 1; attempt <= 4; attempt += 1) await verify(wrong());
      expect(await verify(appCode(secret, currentStep(service)))).toMatchObject({ ok: true });
      for (let attempt = 1; attempt <= 4; attempt += 1) await verify(wrong());
      service.clock.advanceSeconds(30);
      expect(await verify(appCode(secret, currentStep(service)))).toMatchObject({ ok: true });
    });

    it('survives a restart: the lock and the last used step live in the events', async () => {
      const used = appCode(secret, currentStep(service));
      await verify(used);
      await service.close();
      service = await startMfaService({
        dataDir: service.dataDir,
        now: service.clock.now(),
        env: { MFA_ENCRYPTION_KEY: service.config.MFA_ENCRYPTION_KEY!, MFA_MAX_FAILED_ATTEMPTS: '5' },
      });
      expect(await verify(used)).toMatchObject({ error: { code: 'invalid_code' } });

      for (let attempt = 1; attempt <= 4; attempt += 1) await verify(wrong());
      await service.close();
      service = await startMfaService({
        dataDir: service.dataDir,
        now: service.clock.now(),
        env: { MFA_ENCRYPTION_KEY: service.config.MFA_ENCRYPTION_KEY!, MFA_MAX_FAILED_ATTEMPTS: '5' },
      });
      service.clock.advanceSeconds(30);
      expect(await verify(appCode(secret, currentStep(service)))).toMatchObject({ error: { code: 'mfa_locked' } });
    });
  });

  it('answers mfa_not_active without an active enrollment, and records nothing', async () => {
    expect(await verify('123456', 'nobody')).toEqual({
      ok: false,
      error: { code: 'mfa_not_active', message: 'MFA is not active' },
    });
    await service.ok(MfaRpc.startEnrollment, { userId: 'u2', label: 'bob@example.com' });
    expect(await verify('123456', 'u2')).toMatchObject({ error: { code: 'mfa_not_active' } });
    expect(await service.store.read(mfaStreamName('nobody'))).toEqual([]);
  });

  it.each([
    ['a code with letters', { userId: 'u1', code: '12a456', context: CONTEXT }],
    ['a five-digit code', { userId: 'u1', code: '12345', context: CONTEXT }],
    ['no context', { userId: 'u1', code: '123456' }],
    ['a code as a number', { userId: 'u1', code: 123456, context: CONTEXT }],
  ])('answers %s with invalid_payload, counting nothing', async (_case, payload) => {
    const before = (await service.store.read(mfaStreamName('u1'))).length;
    expect(await service.call(MfaRpc.verifyChallenge, payload)).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload' },
    });
    expect(await service.store.read(mfaStreamName('u1'))).toHaveLength(before);
  });
});
