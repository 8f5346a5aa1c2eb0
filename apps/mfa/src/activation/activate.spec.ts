import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MfaRpc } from '#contracts';
import { mfaStreamName } from '../mfa-enrollment/mfa-enrollment.events.js';
import type { ServiceUnderTest } from '#testing';
import { appCode, currentStep, startMfaService, wrongCode } from '../mfa.testing.js';

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
      value: { status: 'active', activatedAt: service.clock.now().toISOString() },
    });
    expect(await service.ok(MfaRpc.getStatus, { userId: 'u1' })).toMatchObject({ status: 'active' });
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
