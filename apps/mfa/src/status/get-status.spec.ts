import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MfaRpc } from '#contracts';
import type { ServiceUnderTest } from '#testing';
import { activeUser, startMfaService } from '../mfa.testing.js';

describe('mfa.get-status', () => {
  let service: ServiceUnderTest<'mfa'>;
  const status = (userId: string) => service.ok(MfaRpc.getStatus, { userId });

  beforeEach(async () => {
    service = await startMfaService({ env: { MFA_ENROLLMENT_TTL_SECONDS: '600' } });
  });
  afterEach(() => service.close({ removeData: true }));

  it('is inactive for a user who never enrolled', async () => {
    expect(await status('nobody')).toEqual({ status: 'inactive', activatedAt: null, recoveryCodesRemaining: null });
  });

  it('is pending during the set-up, inactive once it expired', async () => {
    await service.ok(MfaRpc.startEnrollment, { userId: 'u1', label: 'ann@example.com' });
    expect(await status('u1')).toEqual({ status: 'pending', activatedAt: null, recoveryCodesRemaining: null });
    service.clock.advanceSeconds(599);
    expect(await status('u1')).toEqual({ status: 'pending', activatedAt: null, recoveryCodesRemaining: null });
    service.clock.advanceSeconds(1);
    expect(await status('u1')).toEqual({ status: 'inactive', activatedAt: null, recoveryCodesRemaining: null });
  });

  it('is active since the activation', async () => {
    const activatedAt = service.clock.now().toISOString();
    await activeUser(service, 'u1');
    service.clock.advanceSeconds(3600);
    expect(await status('u1')).toEqual({ status: 'active', activatedAt, recoveryCodesRemaining: 10 });
  });

  it('answers a malformed user id with invalid_payload', async () => {
    expect(await service.call(MfaRpc.getStatus, { userId: 'a b' })).toMatchObject({
      error: { code: 'invalid_payload' },
    });
  });
});
