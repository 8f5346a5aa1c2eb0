import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdentityRpc, INTEGRATION_TOPICS, type IntegrationEvent, type UserView } from '#contracts';
import { processBus } from '#messaging';
import type { ServiceUnderTest } from '#testing';
import { createTenantAdmin, SIGN_IN_CONTEXT, signInRequest, startIdentityWithOperator } from '../identity.testing.js';

const ann = { email: 'ann@example.org', password: 'ann long password' };
const resetPassword = 'a password the admin chose';

describe('identity.set-password', () => {
  let identity: ServiceUnderTest;
  let operator: UserView;
  let annView: UserView;

  const signIn = (password: string) => identity.call(IdentityRpc.verifyCredentials, signInRequest(ann.email, password));
  const setPassword = (password: string, admin: UserView = operator, userId = annView.id) =>
    identity.call(IdentityRpc.setPassword, { userId, password, setBy: { userId: admin.id, orgId: admin.orgId } });

  beforeEach(async () => {
    ({ identity, operator } = await startIdentityWithOperator({ env: { PASSWORD_LOCK_AFTER_FAILURES: '5' } }));
    annView = await identity.ok(IdentityRpc.registerUser, {
      orgId: operator.orgId,
      ...ann,
      roles: [],
      registeredBy: operator.id,
    });
    await identity.ok(IdentityRpc.changePassword, {
      userId: annView.id,
      currentPassword: ann.password,
      newPassword: 'ann chose this one herself',
      context: SIGN_IN_CONTEXT,
    });
  });

  afterEach(async () => {
    await identity.close({ removeData: true });
  });

  it('sets a password the user must change at the next sign-in, and lifts a lock', async () => {
    for (let i = 0; i < 5; i += 1) {
      await signIn('wrong long password');
      identity.clock.advanceSeconds(3600);
    }
    expect(await signIn('ann chose this one herself')).toMatchObject({ ok: false, error: { code: 'account_locked' } });
    identity.clock.set(new Date('2032-01-01T00:00:00.000Z'));

    expect(await setPassword(resetPassword)).toEqual({
      ok: true,
      value: { passwordChangeRequired: true, setAt: '2032-01-01T00:00:00.000Z' },
    });

    expect(await signIn('ann chose this one herself')).toMatchObject({
      ok: false,
      error: { code: 'invalid_credentials' },
    });
    expect(await signIn(resetPassword)).toEqual({ ok: true, value: { ...annView, passwordChangeRequired: true } });
    const [event] = (await identity.store.read(`user-${annView.id}`)).filter(
      (candidate) => candidate.type === 'UserPasswordSetByAdmin',
    );
    expect(event?.data).toMatchObject({ userId: annView.id, setBy: operator.id, setAt: '2032-01-01T00:00:00.000Z' });
    expect(event?.data['passwordHash']).toMatch(/^\$argon2id\$/);
  });

  it('screens the password like any new one: weak_password, password_too_common', async () => {
    expect(await setPassword('short')).toMatchObject({ ok: false, error: { code: 'weak_password' } });
    expect(await setPassword('iloveyou1234')).toMatchObject({ ok: false, error: { code: 'password_too_common' } });
    expect(await setPassword(ann.email)).toMatchObject({ ok: false, error: { code: 'weak_password' } });
  });

  it('answers not_found for a user of another organisation, forbidden to a non-admin', async () => {
    const tenantAdmin = await createTenantAdmin(identity, operator);
    expect(await setPassword(resetPassword, tenantAdmin)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await setPassword(resetPassword, annView, operator.id)).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await setPassword(resetPassword, operator, 'nobody')).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });

  it('publishes who set it and when, never the hash or the password, and never logs either', async () => {
    const published: IntegrationEvent[] = [];
    processBus.subscribe(INTEGRATION_TOPICS.identity, async (event) => {
      published.push(event as IntegrationEvent);
    });
    try {
      await identity.ok(IdentityRpc.setPassword, {
        userId: annView.id,
        password: resetPassword,
        setBy: { userId: operator.id, orgId: operator.orgId },
      });
      await expect.poll(() => published.map((event) => event.type)).toContain('UserPasswordSetByAdmin');
      const event = published.find((candidate) => candidate.type === 'UserPasswordSetByAdmin');
      expect(event?.data).toEqual({
        schemaVersion: 1,
        userId: annView.id,
        setBy: operator.id,
        setAt: expect.any(String),
      });
    } finally {
      processBus.remove(INTEGRATION_TOPICS.identity);
    }
    for (const secret of [resetPassword, '$argon2']) {
      expect(JSON.stringify(published)).not.toContain(secret);
      expect(identity.logs()).not.toContain(secret);
    }
  });
});
