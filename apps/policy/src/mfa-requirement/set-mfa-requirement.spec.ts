import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolicyRpc } from '#contracts';
import { startServiceUnderTest, type ServiceUnderTest } from '#testing';
import { PolicyModule } from '../policy.module.js';

describe('policy.set-mfa-requirement', () => {
  let policy: ServiceUnderTest;

  beforeAll(async () => {
    policy = await startServiceUnderTest(PolicyModule);
  });

  afterAll(() => policy.close({ removeData: true }));

  it('requires MFA for the given roles and answers the whole policy', async () => {
    expect(
      await policy.call(PolicyRpc.setMfaRequirement, {
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
    await policy.ok(PolicyRpc.setMfaRequirement, {
      orgId: 'o1',
      requiredForAll: true,
      requiredForRoles: [],
      setBy: 'a1',
    });
    expect(await policy.call(PolicyRpc.getPolicy, { orgId: 'o1' })).toMatchObject({
      value: { mfa: { requiredForAll: true, requiredForRoles: [] } },
    });
  });

  it('answers invalid_payload when requiredForAll is not a boolean', async () => {
    expect(
      await policy.call(PolicyRpc.setMfaRequirement, {
        orgId: 'o1',
        requiredForAll: 'yes',
        requiredForRoles: [],
        setBy: 'a1',
      }),
    ).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
  });
});
