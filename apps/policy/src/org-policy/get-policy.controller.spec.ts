import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SetIpAllowlistController } from '../ip-allowlist/set-ip-allowlist.controller.js';
import { SetMfaRequirementController } from '../mfa-requirement/set-mfa-requirement.controller.js';
import { startPolicy, type RunningPolicy } from '../policy.testing.js';
import { GetPolicyController } from './get-policy.controller.js';

describe('policy.get-policy', () => {
  let policy: RunningPolicy;
  let policies: GetPolicyController;

  beforeAll(async () => {
    policy = await startPolicy();
    policies = policy.module.get(GetPolicyController);
  });

  afterAll(() => policy.stop());

  it('answers the default policy for an organisation that never set one', async () => {
    expect(await policies.getPolicy({ orgId: 'o1' })).toEqual({
      ok: true,
      value: { orgId: 'o1', ipAllowlist: [], mfa: { requiredForAll: false, requiredForRoles: [] } },
    });
  });

  it('answers what was set, for that organisation only', async () => {
    await policy.module
      .get(SetIpAllowlistController)
      .setIpAllowlist({ orgId: 'o2', cidrs: ['10.0.0.0/8'], setBy: 'a1' });
    await policy.module
      .get(SetMfaRequirementController)
      .setMfaRequirement({ orgId: 'o2', requiredForAll: false, requiredForRoles: ['billing'], setBy: 'a1' });
    expect(await policies.getPolicy({ orgId: 'o2' })).toEqual({
      ok: true,
      value: {
        orgId: 'o2',
        ipAllowlist: ['10.0.0.0/8'],
        mfa: { requiredForAll: false, requiredForRoles: ['billing'] },
      },
    });
    expect(await policies.getPolicy({ orgId: 'o3' })).toMatchObject({ ok: true, value: { ipAllowlist: [] } });
  });

  it('answers invalid_payload without an organisation id', async () => {
    expect(await policies.getPolicy({})).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(await policies.getPolicy({ orgId: 'o 1' })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
  });
});
