import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolicyRpc } from '#contracts';
import { startServiceUnderTest, type ServiceUnderTest } from '#testing';
import { PolicyModule } from '../policy.module.js';

describe('policy.get-policy', () => {
  let policy: ServiceUnderTest;

  beforeAll(async () => {
    policy = await startServiceUnderTest(PolicyModule);
  });

  afterAll(() => policy.close({ removeData: true }));

  it('answers the default policy for an organisation that never set one', async () => {
    expect(await policy.call(PolicyRpc.getPolicy, { orgId: 'o1' })).toEqual({
      ok: true,
      value: { orgId: 'o1', ipAllowlist: [], mfa: { requiredForAll: false, requiredForRoles: [] } },
    });
  });

  it('answers what was set, for that organisation only', async () => {
    await policy.ok(PolicyRpc.setIpAllowlist, { orgId: 'o2', cidrs: ['10.0.0.0/8'], setBy: 'a1' });
    await policy.ok(PolicyRpc.setMfaRequirement, {
      orgId: 'o2',
      requiredForAll: false,
      requiredForRoles: ['billing'],
      setBy: 'a1',
    });
    expect(await policy.call(PolicyRpc.getPolicy, { orgId: 'o2' })).toEqual({
      ok: true,
      value: {
        orgId: 'o2',
        ipAllowlist: ['10.0.0.0/8'],
        mfa: { requiredForAll: false, requiredForRoles: ['billing'] },
      },
    });
    expect(await policy.call(PolicyRpc.getPolicy, { orgId: 'o3' })).toMatchObject({
      ok: true,
      value: { ipAllowlist: [] },
    });
  });

  it('answers invalid_payload without an organisation id', async () => {
    expect(await policy.call(PolicyRpc.getPolicy, {})).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(await policy.call(PolicyRpc.getPolicy, { orgId: 'o 1' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload' },
    });
  });
});
