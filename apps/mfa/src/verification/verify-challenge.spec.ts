import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MfaRpc } from '#contracts';
import { loadConfig } from '#config';
import { mfaStreamName } from '../mfa-enrollment/mfa-enrollment.events.js';
import type { ServiceUnderTest } from '#testing';
import { activeUser, appCode, CONTEXT, currentStep, startMfaService, wrongCode } from '../mfa.testing.js';

describe('mfa.verify-challenge', () => {
  let service: ServiceUnderTest<'mfa'>;
  let secret: string;
  /** A login's code step; each with a token of its own unless one is given. */
  const verify = (code: string, userId = 'u1', challengeId: string = crypto.randomUUID()) =>
    service.call(MfaRpc.verifyChallenge, { userId, code, context: CONTEXT, challengeId });
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
      data: {
        step: currentStep(service),
        verifiedAt: service.clock.now().toISOString(),
        challengeId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        context: CONTEXT,
      },
    });
  });

  it('does not act on a request whose caller has stopped waiting: the code stays unused, nothing is recorded', async () => {
    const code = appCode(secret, currentStep(service));
    const before = await storedTypes();
    const late = await service.call(
      MfaRpc.verifyChallenge,
      { userId: 'u1', code, context: CONTEXT, challengeId: crypto.randomUUID() },
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
          details: { lockedUntil, retryAfterSeconds: 260, requiresAdminReset: false },
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

  describe('single-use mfaToken', () => {
    const verifiedWith = async (challengeId: string) =>
      (await service.store.read(mfaStreamName('u1'))).filter(
        (event) => event.type === 'MfaChallengeVerified' && event.data['challengeId'] === challengeId,
      );

    it('accepts one code per token: the same token with the next step’s code is refused, recording nothing', async () => {
      const token = crypto.randomUUID();
      expect(await verify(appCode(secret, currentStep(service)), 'u1', token)).toMatchObject({ ok: true });
      const before = await storedTypes();

      const again = await verify(appCode(secret, currentStep(service) + 1), 'u1', token);

      expect(again).toEqual({
        ok: false,
        error: { code: 'invalid_mfa_token', message: 'the MFA token has already been used; log in again' },
      });
      expect(await storedTypes()).toEqual(before);
      // The code was not looked at: with a new login's token it is still good.
      expect(await verify(appCode(secret, currentStep(service) + 1))).toMatchObject({ ok: true });
    });

    it('is not used up by a wrong code: the user may type again', async () => {
      const token = crypto.randomUUID();
      const wrong = wrongCode(secret, [currentStep(service) - 1, currentStep(service), currentStep(service) + 1]);
      expect(await verify(wrong, 'u1', token)).toMatchObject({ error: { code: 'invalid_code' } });
      expect(await verify(appCode(secret, currentStep(service)), 'u1', token)).toEqual({
        ok: true,
        value: { verified: true },
      });
      expect(await verifiedWith(token)).toHaveLength(1);
    });

    it('of concurrent uses of one token with two different valid codes, lets exactly one through', async () => {
      const users = ['u1', 'u2', 'u3', 'u4'];
      const secrets = new Map([['u1', secret]]);
      for (const userId of users.slice(1)) secrets.set(userId, (await activeUser(service, userId)).secret);
      service.clock.advanceSeconds(30); // now, for everyone, this step's and the next step's codes are unused
      const step = currentStep(service);

      const outcomes = await Promise.all(
        users.map(async (userId) => {
          const token = crypto.randomUUID();
          const userSecret = secrets.get(userId)!;
          const results = await Promise.all([
            verify(appCode(userSecret, step), userId, token),
            verify(appCode(userSecret, step + 1), userId, token),
          ]);
          return results.map((result) => (result.ok ? 'verified' : result.error.code)).sort();
        }),
      );

      expect(outcomes).toEqual(users.map(() => ['invalid_mfa_token', 'verified']));
      for (const userId of users) {
        const stored = await service.store.read(mfaStreamName(userId));
        expect(stored.filter((event) => event.type === 'MfaChallengeVerified')).toHaveLength(1);
        expect(
          stored.filter((event) => event.type === 'MfaChallengeFailed' && event.data['purpose'] === 'login'),
        ).toEqual([]);
      }
    });
  });

  describe('escalating lock-out', () => {
    it('takes its settings from the environment: 5 wrong codes, 300 s doubling up to 24 h, 100 until an admin reset', () => {
      expect(loadConfig('mfa', {})).toMatchObject({
        MFA_MAX_FAILED_ATTEMPTS: 5,
        MFA_LOCKOUT_SECONDS: 300,
        MFA_LOCKOUT_MAX_SECONDS: 86_400,
        MFA_PERMANENT_LOCK_AFTER: 100,
      });
      expect(() => loadConfig('mfa', { MFA_LOCKOUT_SECONDS: '600', MFA_LOCKOUT_MAX_SECONDS: '300' })).toThrow(
        'MFA_LOCKOUT_MAX_SECONDS must be at least MFA_LOCKOUT_SECONDS',
      );
      expect(() => loadConfig('mfa', { MFA_PERMANENT_LOCK_AFTER: '0' })).toThrow(/MFA_PERMANENT_LOCK_AFTER/);
    });

    const wrong = () => wrongCode(secret, [currentStep(service) - 1, currentStep(service), currentStep(service) + 1]);
    const fiveWrong = async () => {
      for (let attempt = 1; attempt <= 5; attempt += 1) await verify(wrong());
    };
    const lockAnswer = async () => {
      const refused = await verify(appCode(secret, currentStep(service)));
      return refused.ok ? null : refused.error;
    };

    it('doubles each lock after the first: 300 s, 600 s, 1,200 s; a success starts again from 300 s', async () => {
      for (const seconds of [300, 600, 1_200]) {
        await fiveWrong();
        expect(await lockAnswer()).toMatchObject({
          code: 'mfa_locked',
          details: { retryAfterSeconds: seconds, requiresAdminReset: false },
        });
        service.clock.advanceSeconds(seconds);
      }
      expect(await verify(appCode(secret, currentStep(service)))).toMatchObject({ ok: true });
      service.clock.advanceSeconds(30);
      await fiveWrong();
      expect(await lockAnswer()).toMatchObject({ details: { retryAfterSeconds: 300 } });
    });

    it('locks until an admin reset after MFA_PERMANENT_LOCK_AFTER wrong codes since the last success', async () => {
      await service.close({ removeData: true });
      service = await startMfaService({
        env: { MFA_MAX_FAILED_ATTEMPTS: '5', MFA_LOCKOUT_SECONDS: '300', MFA_PERMANENT_LOCK_AFTER: '12' },
      });
      ({ secret } = await activeUser(service, 'u1'));
      service.clock.advanceSeconds(30);

      await fiveWrong(); // lock 1: 300 s
      service.clock.advanceSeconds(300);
      await fiveWrong(); // lock 2: 600 s
      service.clock.advanceSeconds(600);
      expect(await verify(wrong())).toMatchObject({ error: { code: 'invalid_code' } });
      expect(await verify(wrong())).toMatchObject({ error: { code: 'invalid_code' } }); // the 12th

      service.clock.advanceSeconds(365 * 86_400);
      const locked = await lockAnswer();
      expect(locked).toEqual({
        code: 'mfa_locked',
        message: 'too many wrong codes; an administrator must reset MFA before codes are accepted again',
        details: { lockedUntil: null, requiresAdminReset: true },
      });
      const { events } = await service.ok(MfaRpc.getHistory, { userId: 'u1' });
      expect(events.at(-1)?.data).toMatchObject({
        reason: 'locked',
        failuresSinceSuccess: 12,
        locksSinceSuccess: 3,
        requiresAdminReset: true,
      });

      await service.ok(MfaRpc.reset, { userId: 'u1', adminId: 'admin-1', reason: 'locked out, identity checked' });
      ({ secret } = await activeUser(service, 'u1'));
      service.clock.advanceSeconds(30);
      expect(await verify(appCode(secret, currentStep(service)))).toEqual({ ok: true, value: { verified: true } });
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

  const TOKEN = '6f1c0f5e-4b8e-4c1e-9a51-1d6a4f1e2b3c';
  it.each([
    ['a code with letters', { userId: 'u1', code: '12a456', context: CONTEXT, challengeId: TOKEN }],
    ['a five-digit code', { userId: 'u1', code: '12345', context: CONTEXT, challengeId: TOKEN }],
    ['no context', { userId: 'u1', code: '123456', challengeId: TOKEN }],
    ['a code as a number', { userId: 'u1', code: 123456, context: CONTEXT, challengeId: TOKEN }],
    ['no challenge id', { userId: 'u1', code: '123456', context: CONTEXT }],
    ['a challenge id that is no UUID', { userId: 'u1', code: '123456', context: CONTEXT, challengeId: 'token-1' }],
  ])('answers %s with invalid_payload, counting nothing', async (_case, payload) => {
    const before = (await service.store.read(mfaStreamName('u1'))).length;
    expect(await service.call(MfaRpc.verifyChallenge, payload)).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload' },
    });
    expect(await service.store.read(mfaStreamName('u1'))).toHaveLength(before);
  });
});
