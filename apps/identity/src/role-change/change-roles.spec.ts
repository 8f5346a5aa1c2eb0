import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdentityRpc, type UserView } from '#contracts';
import type { ServiceUnderTest } from '#testing';
import { createTenantAdmin, startIdentityWithOperator } from '../identity.testing.js';

describe('identity.change-roles', () => {
  let identity: ServiceUnderTest;
  let operator: UserView;
  let ann: UserView;

  const changeRoles = (roles: string[], admin: UserView = operator, userId = ann.id) =>
    identity.call(IdentityRpc.changeRoles, { userId, roles, changedBy: { userId: admin.id, orgId: admin.orgId } });

  beforeEach(async () => {
    ({ identity, operator } = await startIdentityWithOperator());
    ann = await identity.ok(IdentityRpc.registerUser, {
      orgId: operator.orgId,
      email: 'ann@example.org',
      password: 'ann long password',
      roles: ['accounting'],
      registeredBy: operator.id,
    });
  });

  afterEach(async () => {
    await identity.close({ removeData: true });
  });

  it('replaces the roles, recording who changed them and when; the user reads with the new roles', async () => {
    identity.clock.set(new Date('2032-02-03T04:05:06.000Z'));
    expect(await changeRoles(['billing', 'admin'])).toEqual({
      ok: true,
      value: { ...ann, roles: ['billing', 'admin'] },
    });
    expect(await identity.ok(IdentityRpc.getUser, { userId: ann.id })).toMatchObject({ roles: ['billing', 'admin'] });
    const changed = (await identity.store.read(`user-${ann.id}`)).find((event) => event.type === 'UserRolesChanged');
    expect(changed?.data).toMatchObject({
      userId: ann.id,
      roles: ['billing', 'admin'],
      changedBy: operator.id,
      changedAt: '2032-02-03T04:05:06.000Z',
    });
  });

  it('records nothing when the roles are already those', async () => {
    expect(await changeRoles(['accounting'])).toMatchObject({ ok: true, value: { roles: ['accounting'] } });
    expect(await identity.store.read(`user-${ann.id}`)).toHaveLength(1);
  });

  it("refuses an admin's own roles, a user who is no admin, and another organisation's admin", async () => {
    expect(await changeRoles([], operator, operator.id)).toMatchObject({
      ok: false,
      error: { code: 'forbidden', message: 'an admin cannot change their own roles' },
    });
    expect(await changeRoles(['admin'], ann, ann.id)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const tenantAdmin = await createTenantAdmin(identity, operator);
    expect(await changeRoles(['admin'], tenantAdmin)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await identity.ok(IdentityRpc.getUser, { userId: ann.id })).toMatchObject({ roles: ['accounting'] });
  });

  it('refuses a role that is not a role name, and an unknown user', async () => {
    expect(await changeRoles(['Not A Role'])).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(await changeRoles(['billing'], operator, 'nobody')).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });
});
