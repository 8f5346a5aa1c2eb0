import { afterEach, describe, expect, it } from 'vitest';
import { IdentityRpc, type UserView } from '#contracts';
import { startServiceUnderTest, type ServiceUnderTest } from '#testing';
import { IdentityModule } from '../identity.module.js';
import { startIdentityWithOperator } from '../identity.testing.js';

describe('identity.find-login-organisation', () => {
  let identity: ServiceUnderTest;
  let operator: UserView;
  const find = (email: unknown) => identity.call(IdentityRpc.findLoginOrganisation, { email });

  afterEach(async () => {
    await identity.close({ removeData: true });
  });

  it("answers a user's organisation, and the operator organisation for an address nobody has", async () => {
    ({ identity, operator } = await startIdentityWithOperator());
    const created = await identity.ok(IdentityRpc.createOrganisation, {
      name: 'Tenant',
      adminEmail: 'boss@tenant.example',
      adminPassword: 'boss long password',
      requestedBy: { userId: operator.id, orgId: operator.orgId },
    });

    expect(await find(' Boss@Tenant.example')).toEqual({ ok: true, value: { orgId: created.id } });
    expect(await find(operator.email)).toEqual({ ok: true, value: { orgId: operator.orgId } });
    for (const nobody of ['nobody@tenant.example', 'not an address', '']) {
      expect(await find(nobody)).toEqual({ ok: true, value: { orgId: operator.orgId } });
    }
  });

  it('answers null before the installation is bootstrapped (there is no user to tell apart)', async () => {
    identity = await startServiceUnderTest(IdentityModule);
    expect(await find('nobody@example.org')).toEqual({ ok: true, value: { orgId: null } });
  });

  it('answers invalid_payload without an address', async () => {
    ({ identity } = await startIdentityWithOperator());
    expect(await identity.call(IdentityRpc.findLoginOrganisation, {})).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload' },
    });
  });
});
