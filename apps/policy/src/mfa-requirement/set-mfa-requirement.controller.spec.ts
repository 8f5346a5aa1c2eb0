import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetPolicyController } from '../org-policy/get-policy.controller.js';
import { startPolicy, type RunningPolicy } from '../policy.testing.js';
import { SetMfaRequirementController } from './set-mfa-requirement.controller.js';

describe('policy.set-mfa-requirement', () => {
  let policy: RunningPolicy;
  let requirement: SetMfaRequirementController;

  beforeAll(async () => {
    policy = await startPolicy();
    requirement = policy.module.get(SetMfaRequirementController);
  });

  afterAll(() => policy.stop());

  it('requires MFA for the given roles and answers the whole policy', async () => {
    expect(
      await requirement.setMfaRequirement({
        orgId: 'o1',
        requiredForAll: false,
        requiredForRoles: ['accounting', 'billing', 'accounting'],
        setBy: 'a1',
      }),
    ).toEqual({
      ok: true,
      value: {
        orgId: 'o1',
        ipAllowlist: [],
        mfa: { requiredForAll: false, requiredForRoles: ['accounting', 'billing'] },
      },
    });
  });

  it('requires MFA for everyone, kept across reads', async () => {
    await requirement.setMfaRequirement({ orgId: 'o1', requiredForAll: true, requiredForRoles: [], setBy: 'a1' });
    expect(await policy.module.get(GetPolicyController).getPolicy({ orgId: 'o1' })).toMatchObject({
      value: { mfa: { requiredForAll: true, requiredForRoles: [] } },
    });
  });

  it('answers invalid_payload when requiredForAll is not a boolean', async () => {
    expect(
      await requirement.setMfaRequirement({ orgId: 'o1', requiredForAll: 'yes', requiredForRoles: [], setBy: 'a1' }),
    ).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
  });
});
