import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdentityRpc, type UserView } from '#contracts';
import type { ServiceUnderTest } from '#testing';
import { createTenantAdmin, signInRequest, startIdentityWithOperator } from '../identity.testing.js';

describe('identity.list-users', () => {
  let identity: ServiceUnderTest;
  let operator: UserView;

  const register = (email: string, roles: string[] = []) =>
    identity.ok(IdentityRpc.registerUser, {
      orgId: operator.orgId,
      email,
      password: `${email} long password`,
      roles,
      registeredBy: operator.id,
    });
  const list = (request: { query?: string; cursor?: string; limit?: number }, admin: UserView = operator) =>
    identity.call(IdentityRpc.listUsers, { requestedBy: { userId: admin.id, orgId: admin.orgId }, ...request });
  const emailsOf = (result: Awaited<ReturnType<typeof list>>) =>
    result.ok ? result.value.users.map((user) => user.email) : result.error;

  beforeEach(async () => {
    ({ identity, operator } = await startIdentityWithOperator({
      env: { PASSWORD_DELAY_AFTER_FAILURES: '2', PASSWORD_DELAY_BASE_SECONDS: '1', PASSWORD_LOCK_AFTER_FAILURES: '2' },
    }));
  });

  afterEach(async () => {
    await identity.close({ removeData: true });
  });

  it('lists the organisation by email, a user just registered included, with roles and lock', async () => {
    const carl = await register('carl@example.org', ['accounting']);
    await register('ann@example.org');
    expect(await list({})).toEqual({
      ok: true,
      value: {
        users: [
          expect.objectContaining({ email: 'ann@example.org', roles: [], locked: false }),
          {
            id: carl.id,
            email: 'carl@example.org',
            orgId: operator.orgId,
            roles: ['accounting'],
            locked: false,
            registeredAt: expect.any(String),
          },
          expect.objectContaining({ email: 'operator@example.org', roles: ['admin'] }),
        ],
        nextCursor: null,
      },
    });
  });

  it('pages with an opaque cursor until the last page, whose cursor is null', async () => {
    for (const name of ['dan', 'bea', 'eve', 'ann', 'cid']) await register(`${name}@example.org`);
    const first = await list({ limit: 2 });
    expect(emailsOf(first)).toEqual(['ann@example.org', 'bea@example.org']);
    const second = await list({ limit: 2, cursor: first.ok ? (first.value.nextCursor ?? '') : '' });
    expect(emailsOf(second)).toEqual(['cid@example.org', 'dan@example.org']);
    const third = await list({ limit: 2, cursor: second.ok ? (second.value.nextCursor ?? '') : '' });
    expect(third).toMatchObject({ ok: true, value: { nextCursor: null } });
    expect(emailsOf(third)).toEqual(['eve@example.org', 'operator@example.org']);
  });

  it('finds by any part of the email, in any case', async () => {
    await register('ann.smith@example.org');
    await register('bob@smithery.example');
    await register('cid@example.org');
    expect(emailsOf(await list({ query: '  SMITH ' }))).toEqual(['ann.smith@example.org', 'bob@smithery.example']);
    expect(emailsOf(await list({ query: 'nobody' }))).toEqual([]);
  });

  it('shows a user locked by failed passwords', async () => {
    await register('ann@example.org');
    for (let i = 0; i < 2; i += 1) {
      await identity.call(IdentityRpc.verifyCredentials, signInRequest('ann@example.org', 'wrong long password'));
      identity.clock.advanceSeconds(3600);
    }
    expect(await list({ query: 'ann' })).toMatchObject({
      ok: true,
      value: { users: [{ email: 'ann@example.org', locked: true }] },
    });
  });

  it("shows only the admin's own organisation, and only to an admin", async () => {
    const ann = await register('ann@example.org');
    const boss = await createTenantAdmin(identity, operator);
    expect(emailsOf(await list({}, boss))).toEqual(['boss@tenant.example']);
    expect(emailsOf(await list({}))).toEqual(['ann@example.org', 'operator@example.org']);
    expect(await list({}, ann)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // The organisation is the admin's own, read from their events, never the one the request names.
    expect(await list({}, { ...boss, orgId: operator.orgId })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });

  it('refuses a limit out of range with invalid_payload', async () => {
    expect(await list({ limit: 0 })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(await list({ limit: 101 })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
  });
});
