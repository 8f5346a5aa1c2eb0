import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolicyRpc } from '#contracts';
import { startServiceUnderTest, type ServiceUnderTest } from '#testing';
import { PolicyModule } from '../policy.module.js';

describe('policy.evaluate-login', () => {
  let policy: ServiceUnderTest;

  beforeAll(async () => {
    policy = await startServiceUnderTest(PolicyModule);
    await policy.ok(PolicyRpc.setIpAllowlist, {
      orgId: 'office',
      cidrs: ['192.0.2.0/24', '2001:db8::/32'],
      setBy: 'a1',
    });
    await policy.ok(PolicyRpc.setMfaRequirement, {
      orgId: 'office',
      requiredForAll: false,
      requiredForRoles: ['accounting'],
      setBy: 'a1',
    });
  });

  afterAll(() => policy.close({ removeData: true }));

  const evaluate = (payload: Record<string, unknown>) => policy.call(PolicyRpc.evaluateLogin, payload);

  it('lets anyone in from anywhere, MFA optional, under the default policy', async () => {
    expect(await evaluate({ orgId: 'fresh', roles: ['accounting'], ip: '203.0.113.7', mfaActive: false })).toEqual({
      ok: true,
      value: { allowed: true, mfaRequired: false, enrollmentRequired: false },
    });
  });

  it("refuses an address outside the organisation's allow-list", async () => {
    expect(await evaluate({ orgId: 'office', roles: [], ip: '203.0.113.7', mfaActive: true })).toEqual({
      ok: true,
      value: { allowed: false, reason: 'ip_not_allowed' },
    });
  });

  it('lets an address inside it in (IPv4-mapped too), with MFA as the roles require', async () => {
    expect(await evaluate({ orgId: 'office', roles: ['billing'], ip: '::ffff:192.0.2.10', mfaActive: false })).toEqual({
      ok: true,
      value: { allowed: true, mfaRequired: false, enrollmentRequired: false },
    });
    expect(await evaluate({ orgId: 'office', roles: ['accounting'], ip: '2001:db8::1', mfaActive: false })).toEqual({
      ok: true,
      value: { allowed: true, mfaRequired: true, enrollmentRequired: true },
    });
    expect(await evaluate({ orgId: 'office', roles: ['accounting'], ip: '192.0.2.10', mfaActive: true })).toEqual({
      ok: true,
      value: { allowed: true, mfaRequired: true, enrollmentRequired: false },
    });
  });

  it('answers invalid_payload without mfaActive', async () => {
    expect(await evaluate({ orgId: 'office', roles: [], ip: '192.0.2.10' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload' },
    });
  });
});
