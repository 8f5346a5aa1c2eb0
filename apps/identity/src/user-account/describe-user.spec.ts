import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdentityRpc, type UserView } from '#contracts';
import type { ServiceUnderTest } from '#testing';
import { createTenantAdmin, startIdentityWithOperator } from '../identity.testing.js';

describe('identity.describe-user', () => {
  let identity: ServiceUnderTest;
  let operator: UserView;
  let ann: UserView;

  const describeUser = (userId: string, admin: UserView = operator) =>
    identity.call(IdentityRpc.describeUser, { userId, requestedBy: { userId: admin.id, orgId: admin.orgId } });

  beforeEach(async () => {
    ({ identity, operator } = await startIdentityWithOperator());
    identity.clock.set(new Date('2032-02-03T04:05:06.000Z'));
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

  it('answers a user of the admin’s organisation with roles, lock and registration time', async () => {
    expect(await describeUser(ann.id)).toEqual({
      ok: true,
      value: { ...ann, locked: false, registeredAt: '2032-02-03T04:05:06.000Z' },
    });
  });

  it('answers not_found for an unknown user and for a user of another organisation; forbidden to a non-admin', async () => {
    const boss = await createTenantAdmin(identity, operator);
    expect(await describeUser('nobody')).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await describeUser(ann.id, boss)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await describeUser(operator.id, ann)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });
});
