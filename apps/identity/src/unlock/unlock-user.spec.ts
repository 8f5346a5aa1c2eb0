import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdentityRpc, type UserView } from '#contracts';
import type { ServiceUnderTest } from '#testing';
import { createTenantAdmin, signInRequest, startIdentityWithOperator } from '../identity.testing.js';

const ann = { email: 'ann@example.org', password: 'ann long password' };
const LOCK_AFTER_THREE = {
  PASSWORD_DELAY_AFTER_FAILURES: '2',
  PASSWORD_DELAY_BASE_SECONDS: '1',
  PASSWORD_LOCK_AFTER_FAILURES: '3',
};

describe('identity.unlock-user', () => {
  let identity: ServiceUnderTest;
  let operator: UserView;
  let annView: UserView;

  const signIn = (password: string) => identity.call(IdentityRpc.verifyCredentials, signInRequest(ann.email, password));
  const unlock = (admin: UserView, userId = annView.id) =>
    identity.call(IdentityRpc.unlockUser, {
      userId,
      reason: 'called the helpdesk from the office',
      unlockedBy: { userId: admin.id, orgId: admin.orgId },
    });
  const lockAnn = async () => {
    for (let i = 0; i < 3; i += 1) {
      await signIn('wrong long password');
      identity.clock.advanceSeconds(10);
    }
    expect(await signIn(ann.password)).toMatchObject({ ok: false, error: { code: 'account_locked' } });
  };

  beforeEach(async () => {
    ({ identity, operator } = await startIdentityWithOperator({ env: LOCK_AFTER_THREE }));
    annView = await identity.ok(IdentityRpc.registerUser, {
      orgId: operator.orgId,
      ...ann,
      roles: [],
      registeredBy: operator.id,
    });
  });

  afterEach(async () => {
    await identity.close({ removeData: true });
  });

  it('lets an admin of the organisation unlock, recording who and why: the right password signs in again', async () => {
    await lockAnn();
    identity.clock.set(new Date('2032-02-03T04:05:06.000Z'));

    expect(await unlock(operator)).toEqual({ ok: true, value: { locked: false } });

    expect(await signIn(ann.password)).toMatchObject({ ok: true, value: { id: annView.id } });
    const unlocked = (await identity.store.read(`user-${annView.id}`)).find((event) => event.type === 'UserUnlocked');
    expect(unlocked?.data).toMatchObject({
      userId: annView.id,
      unlockedBy: operator.id,
      reason: 'called the helpdesk from the office',
      unlockedAt: '2032-02-03T04:05:06.000Z',
    });
  });

  it('records nothing for a user who is not locked', async () => {
    expect(await unlock(operator)).toEqual({ ok: true, value: { locked: false } });
    expect(await identity.store.read(`user-${annView.id}`)).toHaveLength(1);
  });

  it('answers not_found to an admin of another organisation, and forbidden to a user who is no admin', async () => {
    await lockAnn();
    const tenantAdmin = await createTenantAdmin(identity, operator);

    expect(await unlock(tenantAdmin)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await unlock(annView, annView.id)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // The admin's organisation is read from the admin's own events, not taken from the request.
    expect(await unlock({ ...tenantAdmin, orgId: operator.orgId })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await signIn(ann.password)).toMatchObject({ ok: false, error: { code: 'account_locked' } });
  });

  it('answers not_found for an unknown user and invalid_payload without a reason', async () => {
    expect(await unlock(operator, 'nobody')).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(
      await identity.call(IdentityRpc.unlockUser, {
        userId: annView.id,
        reason: '  ',
        unlockedBy: { userId: operator.id, orgId: operator.orgId },
      }),
    ).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
  });
});
