import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdentityRpc, INTEGRATION_TOPICS, type IntegrationEvent, type UserView } from '#contracts';
import { processBus } from '#messaging';
import type { ServiceUnderTest } from '#testing';
import { SIGN_IN_CONTEXT, signInRequest, startIdentityWithOperator } from '../identity.testing.js';

const ann = { email: 'ann@example.org', password: 'ann long password' };
const newPassword = 'ann new long password';

describe('identity.change-password', () => {
  let identity: ServiceUnderTest;
  let annView: UserView;

  const changePassword = (payload: Record<string, unknown>) =>
    identity.call(IdentityRpc.changePassword, { userId: annView.id, context: SIGN_IN_CONTEXT, ...payload });
  const signIn = (password: string) => identity.call(IdentityRpc.verifyCredentials, signInRequest(ann.email, password));

  beforeEach(async () => {
    const started = await startIdentityWithOperator();
    identity = started.identity;
    annView = await identity.ok(IdentityRpc.registerUser, {
      orgId: started.operator.orgId,
      ...ann,
      roles: [],
      registeredBy: started.operator.id,
    });
  });

  afterEach(async () => {
    await identity.close({ removeData: true });
  });

  it('changes the password: the old one stops working, the new one signs in', async () => {
    identity.clock.set(new Date('2031-05-06T07:08:09.000Z'));
    expect(await changePassword({ currentPassword: ann.password, newPassword })).toEqual({
      ok: true,
      value: { changedAt: '2031-05-06T07:08:09.000Z' },
    });
    expect(await signIn(ann.password)).toMatchObject({ ok: false, error: { code: 'invalid_credentials' } });
    // The admin's password is replaced: no change is asked for any more.
    expect(await signIn(newPassword)).toEqual({ ok: true, value: { ...annView, passwordChangeRequired: false } });
  });

  it('refuses a common new password with password_too_common, changing nothing', async () => {
    expect(await changePassword({ currentPassword: ann.password, newPassword: 'Password1234' })).toEqual({
      ok: false,
      error: {
        code: 'password_too_common',
        message: 'this password is on a list of common or breached passwords; choose another',
      },
    });
    expect(await identity.store.read(`user-${annView.id}`)).toHaveLength(1);
  });

  it('counts a wrong current password as a failed password: after five, even the right one must wait', async () => {
    for (let i = 0; i < 5; i += 1) {
      expect(await changePassword({ currentPassword: 'not the password', newPassword })).toMatchObject({
        ok: false,
        error: { code: 'invalid_credentials' },
      });
    }
    const [, failed] = await identity.store.read(`user-${annView.id}`);
    expect(failed).toMatchObject({
      type: 'PasswordCheckFailed',
      data: { reason: 'wrong_password', ...SIGN_IN_CONTEXT },
    });
    expect(await changePassword({ currentPassword: ann.password, newPassword })).toMatchObject({
      ok: false,
      error: { code: 'too_many_attempts', details: { retryAfterSeconds: 1 } },
    });
    expect(await signIn(ann.password)).toMatchObject({ ok: false, error: { code: 'too_many_attempts' } });
    identity.clock.advanceSeconds(1);
    expect(await changePassword({ currentPassword: ann.password, newPassword })).toMatchObject({ ok: true });
  });

  it('refuses a wrong current password with invalid_credentials, changing nothing', async () => {
    expect(await changePassword({ currentPassword: 'not the password', newPassword })).toEqual({
      ok: false,
      error: { code: 'invalid_credentials', message: 'email or password is incorrect' },
    });
    expect(await signIn(ann.password)).toMatchObject({ ok: true });
    expect((await identity.store.read(`user-${annView.id}`)).map((event) => event.type)).not.toContain(
      'UserPasswordChanged',
    );
  });

  it('refuses a weak new password with weak_password and the reason, changing nothing', async () => {
    expect(await changePassword({ currentPassword: ann.password, newPassword: 'short' })).toMatchObject({
      ok: false,
      error: { code: 'weak_password', details: expect.objectContaining({ reason: 'too_short' }) },
    });
    expect(await changePassword({ currentPassword: ann.password, newPassword: ann.email })).toMatchObject({
      ok: false,
      error: { code: 'weak_password', details: expect.objectContaining({ reason: 'same_as_email' }) },
    });
    expect(await identity.store.read(`user-${annView.id}`)).toHaveLength(1);
  });

  it('lets only one of two changes proven with the same current password win', async () => {
    const results = await Promise.all([
      changePassword({ currentPassword: ann.password, newPassword: 'first new long password' }),
      changePassword({ currentPassword: ann.password, newPassword: 'second new long password' }),
    ]);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.find((result) => !result.ok)).toMatchObject({ error: { code: 'invalid_credentials' } });
  });

  it('answers not_found for an unknown user and invalid_payload for a missing field', async () => {
    expect(
      await identity.call(IdentityRpc.changePassword, {
        userId: 'nobody',
        currentPassword: 'x',
        newPassword,
        context: SIGN_IN_CONTEXT,
      }),
    ).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await changePassword({ currentPassword: ann.password })).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload' },
    });
  });

  it('publishes UserPasswordChanged as who and when, never the hash, and never logs a password', async () => {
    const published: IntegrationEvent[] = [];
    processBus.subscribe(INTEGRATION_TOPICS.identity, async (event) => {
      published.push(event as IntegrationEvent);
    });
    try {
      const { changedAt } = await identity.ok(IdentityRpc.changePassword, {
        userId: annView.id,
        currentPassword: ann.password,
        newPassword,
        context: SIGN_IN_CONTEXT,
      });
      await expect.poll(() => published.map((event) => event.type)).toContain('UserPasswordChanged');
      const event = published.find((candidate) => candidate.type === 'UserPasswordChanged');
      expect(event).toMatchObject({
        schemaVersion: 1,
        aggregateId: annView.id,
        userId: annView.id,
        source: { stream: `user-${annView.id}`, revision: 1 },
      });
      expect(event?.data).toEqual({ schemaVersion: 1, userId: annView.id, changedAt });
      expect(JSON.stringify(published)).not.toContain('$argon2');
      // The stored event does hold the new hash, so its absence above is the public form's doing.
      const [, stored] = await identity.store.read(`user-${annView.id}`);
      expect(stored?.data['passwordHash']).toMatch(/^\$argon2id\$/);
    } finally {
      processBus.remove(INTEGRATION_TOPICS.identity);
    }
    const logs = identity.logs();
    for (const secret of [ann.password, newPassword, '$argon2']) expect(logs).not.toContain(secret);
  });
});
