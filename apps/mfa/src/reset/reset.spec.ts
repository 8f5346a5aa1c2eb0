import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MfaRpc } from '#contracts';
import { mfaStreamName } from '../mfa-enrollment/mfa-enrollment.events.js';
import type { ServiceUnderTest } from '#testing';
import { activeUser, appCode, CONTEXT, currentStep, startMfaService } from '../mfa.testing.js';

describe('mfa.reset', () => {
  let service: ServiceUnderTest<'mfa'>;
  const reset = (userId = 'u1') => service.call(MfaRpc.reset, { userId, adminId: 'admin-1', reason: 'phone lost' });

  beforeEach(async () => {
    service = await startMfaService();
  });
  afterEach(() => service.close({ removeData: true }));

  it('clears an active MFA without a code, recording who and why', async () => {
    await activeUser(service, 'u1');

    expect(await reset()).toEqual({
      ok: true,
      value: { status: 'inactive', activatedAt: null, recoveryCodesRemaining: null },
    });
    expect((await service.store.read(mfaStreamName('u1'))).at(-1)).toMatchObject({
      type: 'MfaDeactivated',
      data: { by: { kind: 'admin', adminId: 'admin-1', reason: 'phone lost' } },
    });
    expect(await service.ok(MfaRpc.getStatus, { userId: 'u1' })).toEqual({
      status: 'inactive',
      activatedAt: null,
      recoveryCodesRemaining: null,
    });
  });

  it('clears a pending set-up too', async () => {
    await service.ok(MfaRpc.startEnrollment, { userId: 'u1', label: 'ann@example.com' });
    expect(await reset()).toMatchObject({ ok: true, value: { status: 'inactive' } });
    expect(await service.ok(MfaRpc.getStatus, { userId: 'u1' })).toMatchObject({ status: 'inactive' });
  });

  it('is idempotent: with nothing to clear it answers inactive and records nothing', async () => {
    await activeUser(service, 'u1');
    await reset();
    const after = await service.store.read(mfaStreamName('u1'));

    expect(await reset()).toEqual({
      ok: true,
      value: { status: 'inactive', activatedAt: null, recoveryCodesRemaining: null },
    });
    expect(await reset('never-enrolled')).toEqual({
      ok: true,
      value: { status: 'inactive', activatedAt: null, recoveryCodesRemaining: null },
    });
    expect(await service.store.read(mfaStreamName('u1'))).toHaveLength(after.length);
    expect(await service.store.read(mfaStreamName('never-enrolled'))).toEqual([]);
  });

  it('lets the user enrol again, and the old secret opens nothing', async () => {
    const { secret: old } = await activeUser(service, 'u1');
    await reset();
    const { secret } = await activeUser(service, 'u1');
    service.clock.advanceSeconds(30);

    const code = (s: string) => appCode(s, currentStep(service));
    expect(
      await service.call(MfaRpc.verifyChallenge, {
        userId: 'u1',
        code: code(old),
        context: CONTEXT,
        challengeId: crypto.randomUUID(),
      }),
    ).toMatchObject({
      error: { code: 'invalid_code' },
    });
    expect(
      await service.call(MfaRpc.verifyChallenge, {
        userId: 'u1',
        code: code(secret),
        context: CONTEXT,
        challengeId: crypto.randomUUID(),
      }),
    ).toMatchObject({
      ok: true,
    });
  });

  it('answers a missing reason with invalid_payload', async () => {
    expect(await service.call(MfaRpc.reset, { userId: 'u1', adminId: 'admin-1', reason: '  ' })).toMatchObject({
      error: { code: 'invalid_payload' },
    });
  });
});
