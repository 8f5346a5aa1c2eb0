import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MfaRpc } from '#contracts';
import { mfaStreamName } from '../mfa-enrollment/mfa-enrollment.events.js';
import type { ServiceUnderTest } from '#testing';
import { appCode, currentStep, recoveryCodesOf, startMfaService, wrongCode } from '../mfa.testing.js';
import { SecretCipher } from '../totp/secret-cipher.js';

describe('mfa.activate', () => {
  let service: ServiceUnderTest<'mfa'>;
  let secret: string;
  let step: number;
  const activate = (code1: string, code2: string) => service.call(MfaRpc.activate, { userId: 'u1', code1, code2 });

  beforeEach(async () => {
    service = await startMfaService();
    ({ secret } = await service.ok(MfaRpc.startEnrollment, { userId: 'u1', label: 'ann@example.com' }));
    step = currentStep(service);
  });
  afterEach(() => service.close({ removeData: true }));

  it('activates with the codes of two consecutive steps, the later one second', async () => {
    expect(await activate(appCode(secret, step - 1), appCode(secret, step))).toEqual({
      ok: true,
      value: {
        status: 'active',
        activatedAt: service.clock.now().toISOString(),
        recoveryCodesRemaining: 10,
        recoveryCodes: expect.any(String),
      },
    });
    expect(await service.ok(MfaRpc.getStatus, { userId: 'u1' })).toMatchObject({
      status: 'active',
      recoveryCodesRemaining: 10,
    });
  });

  it('answers ten distinct recovery codes for humans, and stores only their keyed hashes with the key id', async () => {
    const answer = await service.ok(MfaRpc.activate, {
      userId: 'u1',
      code1: appCode(secret, step - 1),
      code2: appCode(secret, step),
    });
    const codes = recoveryCodesOf(answer);
    expect(codes).toHaveLength(10);
    for (const code of codes)
      expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/);
    expect(new Set(codes).size).toBe(10);

    const stored = await service.store.read(mfaStreamName('u1'));
    expect(stored.map((event) => event.type)).toEqual([
      'MfaEnrollmentStarted',
      'MfaActivated',
      'RecoveryCodesGenerated',
    ]);
    const generated = stored[2]!.data;
    expect(generated).toEqual({
      schemaVersion: 1,
      keyId: new SecretCipher({ current: service.config.MFA_ENCRYPTION_KEY! }).currentKeyId,
      hashes: expect.any(Array),
      generatedAt: service.clock.now().toISOString(),
      reason: 'activation',
    });
    const hashes = generated['hashes'] as string[];
    expect(hashes).toHaveLength(10);
    for (const hash of hashes) expect(hash).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 bytes, base64url
    const json = JSON.stringify(stored.map((event) => event.data));
    for (const code of codes) {
      expect(json).not.toContain(code);
      expect(json.toUpperCase()).not.toContain(code.replaceAll('-', '').toUpperCase());
    }
  });

  it('answers different recovery codes to every activation', async () => {
    const first = recoveryCodesOf(
      await service.ok(MfaRpc.activate, {
        userId: 'u1',
        code1: appCode(secret, step - 1),
        code2: appCode(secret, step),
      }),
    );
    ({ secret } = await service.ok(MfaRpc.startEnrollment, { userId: 'u2', label: 'bob@example.com' }));
    const second = recoveryCodesOf(
      await service.ok(MfaRpc.activate, {
        userId: 'u2',
        code1: appCode(secret, step - 1),
        code2: appCode(secret, step),
      }),
    );
    expect(second.filter((code) => first.includes(code))).toEqual([]);
  });

  it('accepts the current and the next step too (the app runs a little ahead)', async () => {
    expect(await activate(appCode(secret, step), appCode(secret, step + 1))).toMatchObject({ ok: true });
  });

  it.each([
    ['in the wrong order', (s: number) => [s, s - 1]],
    ['with a step between them', (s: number) => [s - 1, s + 1]],
    ['twice the same code', (s: number) => [s, s]],
    ['two steps behind', (s: number) => [s - 2, s - 1]],
  ])('refuses codes %s as invalid_codes and stays pending', async (_case, steps) => {
    const [first, second] = steps(step) as [number, number];

    expect(await activate(appCode(secret, first), appCode(secret, second))).toEqual({
      ok: false,
      error: {
        code: 'invalid_codes',
        message: 'the codes must be two consecutive current codes from the authenticator app',
      },
    });
    expect(await service.ok(MfaRpc.getStatus, { userId: 'u1' })).toMatchObject({ status: 'pending' });
    const failed = (await service.store.read(mfaStreamName('u1'))).at(-1);
    expect(failed).toMatchObject({ type: 'MfaChallengeFailed', data: { purpose: 'activation' } });
  });

  it('refuses a wrong code with invalid_codes', async () => {
    const wrong = wrongCode(secret, [step - 1, step, step + 1]);
    expect(await activate(appCode(secret, step - 1), wrong)).toMatchObject({ error: { code: 'invalid_codes' } });
  });

  it('answers no_pending_enrollment without a set-up, or once active', async () => {
    expect(await service.call(MfaRpc.activate, { userId: 'nobody', code1: '123456', code2: '654321' })).toMatchObject({
      error: { code: 'no_pending_enrollment' },
    });
    await activate(appCode(secret, step - 1), appCode(secret, step));
    service.clock.advanceSeconds(30);
    expect(await activate(appCode(secret, step), appCode(secret, step + 1))).toMatchObject({
      error: { code: 'no_pending_enrollment' },
    });
  });

  it('answers a malformed code with invalid_payload', async () => {
    expect(await service.call(MfaRpc.activate, { userId: 'u1', code1: '123456' })).toMatchObject({
      error: { code: 'invalid_payload' },
    });
  });
});
