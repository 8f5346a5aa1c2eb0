import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SetIpAllowlistController } from '../ip-allowlist/set-ip-allowlist.controller.js';
import { SetMfaRequirementController } from '../mfa-requirement/set-mfa-requirement.controller.js';
import { startPolicy, type RunningPolicy } from '../policy.testing.js';
import { EvaluateLoginController } from './evaluate-login.controller.js';

describe('policy.evaluate-login', () => {
  let policy: RunningPolicy;
  let logins: EvaluateLoginController;

  beforeAll(async () => {
    policy = await startPolicy();
    logins = policy.module.get(EvaluateLoginController);
    await policy.module
      .get(SetIpAllowlistController)
      .setIpAllowlist({ orgId: 'office', cidrs: ['192.0.2.0/24', '2001:db8::/32'], setBy: 'a1' });
    await policy.module
      .get(SetMfaRequirementController)
      .setMfaRequirement({ orgId: 'office', requiredForAll: false, requiredForRoles: ['accounting'], setBy: 'a1' });
  });

  afterAll(() => policy.stop());

  it('lets anyone in from anywhere, MFA optional, under the default policy', async () => {
    expect(
      await logins.evaluateLogin({ orgId: 'fresh', roles: ['accounting'], ip: '203.0.113.7', mfaActive: false }),
    ).toEqual({
      ok: true,
      value: { allowed: true, mfaRequired: false, enrollmentRequired: false },
    });
  });

  it("refuses an address outside the organisation's allow-list", async () => {
    expect(await logins.evaluateLogin({ orgId: 'office', roles: [], ip: '203.0.113.7', mfaActive: true })).toEqual({
      ok: true,
      value: { allowed: false, reason: 'ip_not_allowed' },
    });
  });

  it('lets an address inside it in (IPv4-mapped too), with MFA as the roles require', async () => {
    expect(
      await logins.evaluateLogin({ orgId: 'office', roles: ['billing'], ip: '::ffff:192.0.2.10', mfaActive: false }),
    ).toEqual({
      ok: true,
      value: { allowed: true, mfaRequired: false, enrollmentRequired: false },
    });
    expect(
      await logins.evaluateLogin({ orgId: 'office', roles: ['accounting'], ip: '2001:db8::1', mfaActive: false }),
    ).toEqual({
      ok: true,
      value: { allowed: true, mfaRequired: true, enrollmentRequired: true },
    });
    expect(
      await logins.evaluateLogin({ orgId: 'office', roles: ['accounting'], ip: '192.0.2.10', mfaActive: true }),
    ).toEqual({
      ok: true,
      value: { allowed: true, mfaRequired: true, enrollmentRequired: false },
    });
  });

  it('answers invalid_payload without mfaActive', async () => {
    expect(await logins.evaluateLogin({ orgId: 'office', roles: [], ip: '192.0.2.10' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload' },
    });
  });
});
