import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MfaRpc } from '#contracts';
import { mfaStreamName } from '../mfa-enrollment/mfa-enrollment.events.js';
import type { ServiceUnderTest } from '#testing';
import { activeUser, appCode, CONTEXT, currentStep, startMfaService, wrongCode } from '../mfa.testing.js';

describe('mfa.deactivate', () => {
  let service: ServiceUnderTest<'mfa'>;
  let secret: string;
  let recoveryCodes: readonly string[];
  const deactivate = (code: string, confirm: boolean) =>
    service.call(MfaRpc.deactivate, { userId: 'u1', code, confirm, context: CONTEXT });
  const deactivateWithRecoveryCode = (recoveryCode: string, confirm = true) =>
    service.call(MfaRpc.deactivate, { userId: 'u1', recoveryCode, confirm, context: CONTEXT });

  beforeEach(async () => {
    service = await startMfaService();
    ({ secret, recoveryCodes } = await activeUser(service, 'u1'));
    service.clock.advanceSeconds(30);
  });
  afterEach(() => service.close({ removeData: true }));

  it('turns MFA off with a fresh code and confirm: true, recording the user and context', async () => {
    expect(await deactivate(appCode(secret, currentStep(service)), true)).toEqual({
      ok: true,
      value: { status: 'inactive', activatedAt: null, recoveryCodesRemaining: null },
    });
    expect((await service.store.read(mfaStreamName('u1'))).at(-1)).toMatchObject({
      type: 'MfaDeactivated',
      data: { by: { kind: 'user', step: currentStep(service), context: CONTEXT } },
    });
    expect(await service.ok(MfaRpc.getStatus, { userId: 'u1' })).toEqual({
      status: 'inactive',
      activatedAt: null,
      recoveryCodesRemaining: null,
    });
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

  describe('with a recovery code instead of a code (the phone is lost)', () => {
    it('turns MFA off, using the code up, so that a new phone can be enrolled (with a new set)', async () => {
      expect(await deactivateWithRecoveryCode(recoveryCodes[5]!.toUpperCase())).toEqual({
        ok: true,
        value: { status: 'inactive', activatedAt: null, recoveryCodesRemaining: null },
      });
      const [used, deactivated] = (await service.store.read(mfaStreamName('u1'))).slice(-2);
      expect(used).toMatchObject({ type: 'RecoveryCodeUsed', data: { index: 5, remaining: 9, context: CONTEXT } });
      expect(deactivated).toMatchObject({
        type: 'MfaDeactivated',
        data: { by: { kind: 'user', step: null, context: CONTEXT } },
      });

      service.clock.advanceSeconds(60);
      const { recoveryCodes: fresh } = await activeUser(service, 'u1');
      expect(fresh.filter((code) => recoveryCodes.includes(code))).toEqual([]);
      expect(await service.ok(MfaRpc.getStatus, { userId: 'u1' })).toMatchObject({
        status: 'active',
        recoveryCodesRemaining: 10,
      });
    });

    it('refuses a used or a wrong recovery code with invalid_code, and a missing confirmation first', async () => {
      await service.ok(MfaRpc.verifyRecoveryCode, {
        userId: 'u1',
        recoveryCode: recoveryCodes[0],
        context: CONTEXT,
        challengeId: crypto.randomUUID(),
      });
      expect(await deactivateWithRecoveryCode(recoveryCodes[0]!)).toMatchObject({ error: { code: 'invalid_code' } });
      expect(await deactivateWithRecoveryCode('0000-0000-0000-0000')).toMatchObject({
        error: { code: 'invalid_code' },
      });
      expect(await deactivateWithRecoveryCode(recoveryCodes[1]!, false)).toMatchObject({
        error: { code: 'confirmation_required' },
      });
      expect(await service.ok(MfaRpc.getStatus, { userId: 'u1' })).toMatchObject({
        status: 'active',
        recoveryCodesRemaining: 9,
      });
    });

    it.each([
      [
        'both a code and a recovery code',
        (code: string, recoveryCode: string) => ({ code, recoveryCode, context: CONTEXT }),
      ],
      ['neither', () => ({ context: CONTEXT })],
      [
        'a recovery code without the context it is recorded with',
        (_: string, recoveryCode: string) => ({ recoveryCode }),
      ],
    ])('answers %s with invalid_payload, recording nothing', async (_case, proof) => {
      const before = (await service.store.read(mfaStreamName('u1'))).length;
      const request = {
        userId: 'u1',
        confirm: true,
        ...proof(appCode(secret, currentStep(service)), recoveryCodes[0]!),
      };
      expect(await service.call(MfaRpc.deactivate, request)).toMatchObject({ error: { code: 'invalid_payload' } });
      expect(await service.store.read(mfaStreamName('u1'))).toHaveLength(before);
    });
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
