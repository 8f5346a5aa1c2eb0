import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MfaRpc } from '#contracts';
import { mfaStreamName } from '../mfa-enrollment/mfa-enrollment.events.js';
import type { ServiceUnderTest } from '#testing';
import { activeUser, appCode, CONTEXT, currentStep, startMfaService, wrongCode } from '../mfa.testing.js';

describe('mfa.deactivate', () => {
  let service: ServiceUnderTest<'mfa'>;
  let secret: string;
  const deactivate = (code: string, confirm: boolean) =>
    service.call(MfaRpc.deactivate, { userId: 'u1', code, confirm, context: CONTEXT });

  beforeEach(async () => {
    service = await startMfaService();
    ({ secret } = await activeUser(service, 'u1'));
    service.clock.advanceSeconds(30);
  });
  afterEach(() => service.close({ removeData: true }));

  it('turns MFA off with a fresh code and confirm: true, recording the user and context', async () => {
    expect(await deactivate(appCode(secret, currentStep(service)), true)).toEqual({
      ok: true,
      value: { status: 'inactive', activatedAt: null },
    });
    expect((await service.store.read(mfaStreamName('u1'))).at(-1)).toMatchObject({
      type: 'MfaDeactivated',
      data: { by: { kind: 'user', step: currentStep(service), context: CONTEXT } },
    });
    expect(await service.ok(MfaRpc.getStatus, { userId: 'u1' })).toEqual({ status: 'inactive', activatedAt: null });
  });

  it('refuses without the confirmation, even with a right code, and records nothing', async () => {
    const before = (await service.store.read(mfaStreamName('u1'))).length;
    expect(await deactivate(appCode(secret, currentStep(service)), false)).toEqual({
      ok: false,
      error: { code: 'confirmation_required', message: 'deactivating MFA must be confirmed explicitly' },
    });
    expect(await service.store.read(mfaStreamName('u1'))).toHaveLength(before);
  });

  it('refuses a wrong or already used code with invalid_code, MFA staying active', async () => {
    const step = currentStep(service);
    expect(await deactivate(wrongCode(secret, [step - 1, step, step + 1]), true)).toMatchObject({
      error: { code: 'invalid_code' },
    });
    expect(await deactivate(appCode(secret, step - 1), true)).toMatchObject({ error: { code: 'invalid_code' } });
    expect(await service.ok(MfaRpc.getStatus, { userId: 'u1' })).toMatchObject({ status: 'active' });
  });

  it('answers mfa_not_active when there is nothing to deactivate', async () => {
    expect(await service.call(MfaRpc.deactivate, { userId: 'nobody', code: '123456', confirm: true })).toMatchObject({
      error: { code: 'mfa_not_active' },
    });
  });

  it('answers a confirmation that is not a boolean with invalid_payload', async () => {
    expect(
      await service.call(MfaRpc.deactivate, {
        userId: 'u1',
        code: appCode(secret, currentStep(service)),
        confirm: 'yes',
      }),
    ).toMatchObject({ error: { code: 'invalid_payload' } });
  });
});
