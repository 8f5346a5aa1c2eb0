import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainError, IdentityRpc, MfaRpc, type UserAccountView } from '#contracts';
import { TokenService, type Principal } from '../auth/token.service.js';
import { gatewayConfig, signingKeyPem, startGatewayUnderTest, USER } from '../gateway.testing.js';

const ADMIN: Pick<Principal, 'sub' | 'org' | 'roles' | 'amr'> = {
  sub: 'admin-1',
  org: USER.orgId,
  roles: ['admin'],
  amr: ['pwd', 'otp'],
};
const ACCOUNT: UserAccountView = { ...USER, locked: true, registeredAt: '2025-06-02T10:00:00.000Z' };

/** An admin's user directory and role changes in the real gateway, identity and mfa scripted. */
describe('GET /v1/admin/users, GET /v1/admin/users/{id}, PUT /v1/admin/users/{id}/roles', () => {
  let gateway: Awaited<ReturnType<typeof startGatewayUnderTest>>;
  let tokens: TokenService;
  let adminToken: string;

  const tokenOf = (claims: Partial<typeof ADMIN>, signedInSecondsAgo = 0) =>
    tokens.issue('access', {
      ...ADMIN,
      ...claims,
      sid: randomUUID(),
      authTime: Math.floor(Date.now() / 1000) - signedInSecondsAgo,
    }).token;

  beforeEach(async () => {
    const key = signingKeyPem();
    gateway = await startGatewayUnderTest({ JWT_PRIVATE_KEY: key });
    tokens = new TokenService(gatewayConfig({ JWT_PRIVATE_KEY: key }));
    adminToken = tokenOf({});
    gateway.services.answer(MfaRpc.getStatus, ({ userId }) =>
      userId === USER.id
        ? { status: 'active' as const, activatedAt: '2025-06-03T10:00:00.000Z' }
        : { status: 'inactive' as const, activatedAt: null },
    );
  });
  afterEach(() => gateway.close());

  it("lists a page of the admin's organisation with each user's MFA status, passing the query on", async () => {
    const other = { ...ACCOUNT, id: 'u-2', email: 'bob@example.com', locked: false };
    gateway.services.answer(IdentityRpc.listUsers, { users: [ACCOUNT, other], nextCursor: 'Ym9i' });

    const response = await gateway.api.get('/v1/admin/users?query=%20EXAMPLE%20&cursor=YWRh&limit=2', {
      token: adminToken,
    });

    expect(response).toMatchObject({ status: 200 });
    expect(response.body).toEqual({
      users: [
        {
          id: USER.id,
          email: USER.email,
          roles: USER.roles,
          locked: true,
          registeredAt: ACCOUNT.registeredAt,
          mfa: { status: 'active' },
        },
        {
          id: 'u-2',
          email: 'bob@example.com',
          roles: USER.roles,
          locked: false,
          registeredAt: ACCOUNT.registeredAt,
          mfa: { status: 'inactive' },
        },
      ],
      nextCursor: 'Ym9i',
    });
    expect(gateway.services.requestsTo(IdentityRpc.listUsers)).toEqual([
      { query: 'EXAMPLE', cursor: 'YWRh', limit: 2, requestedBy: { userId: ADMIN.sub, orgId: ADMIN.org } },
    ]);
  });

  it('pages by 25 by default, and refuses a limit out of range before asking identity', async () => {
    gateway.services.answer(IdentityRpc.listUsers, { users: [], nextCursor: null });
    expect(await gateway.api.get('/v1/admin/users', { token: adminToken })).toMatchObject({
      status: 200,
      body: { users: [], nextCursor: null },
    });
    expect(gateway.services.requestsTo(IdentityRpc.listUsers)).toMatchObject([{ query: '', limit: 25 }]);
    for (const limit of ['0', '101', 'ten']) {
      expect(await gateway.api.get(`/v1/admin/users?limit=${limit}`, { token: adminToken })).toMatchObject({
        status: 400,
        body: { error: 'validation_failed' },
      });
    }
    expect(gateway.services.requestsTo(IdentityRpc.listUsers)).toHaveLength(1);
  });

  it("answers one user with MFA status, and identity's not_found for another organisation's", async () => {
    gateway.services.answer(IdentityRpc.describeUser, ({ userId }) => {
      if (userId !== USER.id) throw new DomainError('not_found', 'user not found');
      return ACCOUNT;
    });
    expect(await gateway.api.get(`/v1/admin/users/${USER.id}`, { token: adminToken })).toMatchObject({
      status: 200,
      body: { id: USER.id, email: USER.email, locked: true, mfa: { status: 'active' } },
    });
    expect(await gateway.api.get('/v1/admin/users/u-elsewhere', { token: adminToken })).toMatchObject({
      status: 404,
      body: { error: 'not_found' },
    });
  });

  it('changes roles, naming the admin from the token; needs a recent sign-in with a code', async () => {
    gateway.services.answer(IdentityRpc.changeRoles, ({ roles }) => ({ ...USER, roles }));
    const body = { roles: ['billing', 'admin'] };

    expect(await gateway.api.put(`/v1/admin/users/${USER.id}/roles`, body, { token: adminToken })).toMatchObject({
      status: 200,
      body: { id: USER.id, email: USER.email, roles: ['billing', 'admin'] },
    });
    expect(gateway.services.requestsTo(IdentityRpc.changeRoles)).toEqual([
      { userId: USER.id, roles: ['billing', 'admin'], changedBy: { userId: ADMIN.sub, orgId: ADMIN.org } },
    ]);

    const stale = tokenOf({}, 16 * 60);
    expect(await gateway.api.put(`/v1/admin/users/${USER.id}/roles`, body, { token: stale })).toMatchObject({
      status: 403,
      body: { error: 'reauthentication_required' },
    });
    const passwordOnly = tokenOf({ amr: ['pwd'] });
    expect(await gateway.api.put(`/v1/admin/users/${USER.id}/roles`, body, { token: passwordOnly })).toMatchObject({
      status: 403,
      body: { error: 'mfa_required_for_admin' },
    });
    expect(gateway.services.requestsTo(IdentityRpc.changeRoles)).toHaveLength(1);
  });

  it('refuses bad roles before asking identity, and a user without the admin role everywhere', async () => {
    expect(
      await gateway.api.put(`/v1/admin/users/${USER.id}/roles`, { roles: ['Not A Role'] }, { token: adminToken }),
    ).toMatchObject({ status: 400, body: { error: 'validation_failed' } });
    expect(await gateway.api.put(`/v1/admin/users/${USER.id}/roles`, {}, { token: adminToken })).toMatchObject({
      status: 400,
      body: { error: 'validation_failed' },
    });
    const userToken = tokenOf({ sub: USER.id, roles: ['billing'] });
    for (const call of [
      gateway.api.get('/v1/admin/users', { token: userToken }),
      gateway.api.get(`/v1/admin/users/${USER.id}`, { token: userToken }),
      gateway.api.put(`/v1/admin/users/${USER.id}/roles`, { roles: [] }, { token: userToken }),
    ]) {
      expect(await call).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    }
    expect(gateway.services.patternsCalled()).toEqual([]);
  });
});
