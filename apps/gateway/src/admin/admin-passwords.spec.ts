import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainError, IdentityRpc } from '#contracts';
import { TokenService } from '../auth/token.service.js';
import { gatewayConfig, signingKeyPem, startGatewayUnderTest, USER } from '../gateway.testing.js';

const ADMIN = { sub: 'admin-1', org: USER.orgId, roles: ['admin'], amr: ['pwd', 'otp'] } as const;

/** An admin's password tools in the real gateway, identity scripted. */
describe('POST /v1/admin/users/{id}/unlock and /password', () => {
  let gateway: Awaited<ReturnType<typeof startGatewayUnderTest>>;
  let adminToken: string;
  let userToken: string;

  beforeEach(async () => {
    const key = signingKeyPem();
    gateway = await startGatewayUnderTest({ JWT_PRIVATE_KEY: key });
    const tokens = new TokenService(gatewayConfig({ JWT_PRIVATE_KEY: key }));
    const signedIn = { sid: randomUUID(), authTime: Math.floor(Date.now() / 1000) };
    adminToken = tokens.issue('access', { ...ADMIN, ...signedIn }).token;
    userToken = tokens.issue('access', {
      sub: USER.id,
      org: USER.orgId,
      roles: USER.roles,
      amr: ['pwd', 'otp'],
      ...signedIn,
    }).token;
  });
  afterEach(() => gateway.close());

  it('unlocks a user, naming the admin from the token and the reason from the body', async () => {
    gateway.services.answer(IdentityRpc.unlockUser, { locked: false });

    const response = await gateway.api.post(
      `/v1/admin/users/${USER.id}/unlock`,
      { reason: '  called the helpdesk ' },
      { token: adminToken },
    );

    expect(response).toMatchObject({ status: 200, body: { locked: false } });
    expect(gateway.services.requestsTo(IdentityRpc.unlockUser)).toEqual([
      { userId: USER.id, reason: 'called the helpdesk', unlockedBy: { userId: ADMIN.sub, orgId: ADMIN.org } },
    ]);
  });

  it('sets a password the user must change, sealed on its way to identity', async () => {
    gateway.services.answer(IdentityRpc.setPassword, {
      passwordChangeRequired: true,
      setAt: '2025-06-02T10:00:00.000Z',
    });

    const response = await gateway.api.post(
      `/v1/admin/users/${USER.id}/password`,
      { password: 'a new long password' },
      { token: adminToken },
    );

    expect(response).toMatchObject({
      status: 200,
      body: { passwordChangeRequired: true, setAt: '2025-06-02T10:00:00.000Z' },
    });
    expect(gateway.services.requestsTo(IdentityRpc.setPassword)).toEqual([
      { userId: USER.id, password: 'a new long password', setBy: { userId: ADMIN.sub, orgId: ADMIN.org } },
    ]);
    expect(IdentityRpc.setPassword.sealed.request).toEqual(['password']);
  });

  it("answers identity's refusals: another organisation's user is 404, a common password 400", async () => {
    gateway.services
      .refuse(IdentityRpc.unlockUser, new DomainError('not_found', 'user not found'))
      .refuse(IdentityRpc.setPassword, new DomainError('password_too_common', 'too common'));

    expect(
      await gateway.api.post(`/v1/admin/users/${USER.id}/unlock`, { reason: 'x' }, { token: adminToken }),
    ).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(
      await gateway.api.post(
        `/v1/admin/users/${USER.id}/password`,
        { password: 'password1234' },
        { token: adminToken },
      ),
    ).toMatchObject({ status: 400, body: { error: 'password_too_common' } });
  });

  it('refuses a user without the admin role, and bad bodies, before asking identity', async () => {
    expect(
      await gateway.api.post(`/v1/admin/users/${USER.id}/unlock`, { reason: 'x' }, { token: userToken }),
    ).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    expect(
      await gateway.api.post(`/v1/admin/users/${USER.id}/unlock`, { reason: '   ' }, { token: adminToken }),
    ).toMatchObject({ status: 400, body: { error: 'validation_failed' } });
    expect(
      await gateway.api.post(
        '/v1/admin/users/a%20b/password',
        { password: 'a new long password' },
        { token: adminToken },
      ),
    ).toMatchObject({ status: 400, body: { error: 'validation_failed' } });
    expect(gateway.services.patternsCalled()).toEqual([]);
  });
});
