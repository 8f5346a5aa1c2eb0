import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  apiClient,
  jwtClaims,
  signInAdminWithMfa,
  startSystem,
  type ApiClient,
  type RunningSystem,
  type SystemMode,
} from '#testing';

const ADMIN = { email: 'admin@example.com', password: 'admin long password' };
const ANN = { email: 'ann@example.com', password: 'ann long password, hers' };

/**
 * An admin's user directory over HTTP: the list the admin pages and searches,
 * one user with their lock and MFA status, and a role change, which ends the
 * user's sessions (their tokens carry the old roles) within seconds.
 */
describe.each<SystemMode>(['distributed', 'embedded'])('users of an organisation, administered (%s)', (mode) => {
  let system: RunningSystem;
  let api: ApiClient;
  let admin: string;
  let annId: string;

  const signIn = async ({ email, password }: typeof ANN) => {
    const response = await api.post('/v1/auth/login', { email, password });
    expect(response.body).toMatchObject({ status: 'authenticated' });
    return { accessToken: String(response.body.accessToken), refreshToken: String(response.body.refreshToken) };
  };

  beforeAll(async () => {
    system = await startSystem({
      mode,
      kafka: inject('kafkaClients'),
      env: {
        BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
        BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
        LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
      },
    });
    api = apiClient(system.baseUrl);
    admin = (await signInAdminWithMfa(api, ADMIN)).accessToken;
    const setByAdmin = 'set by the admin, long enough';
    const created = await api.post(
      '/v1/admin/users',
      { email: ANN.email, password: setByAdmin, roles: ['accounting'] },
      { token: admin },
    );
    expect(created.status).toBe(201);
    annId = String(created.body.id);
    const first = await api.post('/v1/auth/login', { email: ANN.email, password: setByAdmin });
    const changed = await api.post(
      '/v1/me/password',
      { currentPassword: setByAdmin, newPassword: ANN.password },
      { token: String(first.body.passwordChangeToken) },
    );
    expect(changed.status).toBe(200);
    for (const name of ['bea', 'cid', 'dan']) {
      const user = { email: `${name}@example.com`, password: `${name} long password`, roles: [] };
      expect((await api.post('/v1/admin/users', user, { token: admin })).status).toBe(201);
    }
  });

  afterAll(async () => {
    await system?.stop({ removeData: true });
  });

  it('lists the organisation by email with roles, lock and MFA status, in pages, searchable', async () => {
    const first = await api.get('/v1/admin/users?limit=2', { token: admin });
    expect(first).toMatchObject({ status: 200 });
    expect(first.body).toEqual({
      users: [
        {
          id: expect.any(String),
          email: 'admin@example.com',
          roles: ['admin'],
          locked: false,
          registeredAt: expect.any(String),
          mfa: { status: 'active' },
        },
        {
          id: annId,
          email: 'ann@example.com',
          roles: ['accounting'],
          locked: false,
          registeredAt: expect.any(String),
          mfa: { status: 'inactive' },
        },
      ],
      nextCursor: expect.any(String),
    });
    const rest = await api.get<{ users: { email: string }[]; nextCursor: string | null }>(
      `/v1/admin/users?limit=10&cursor=${encodeURIComponent(String(first.body.nextCursor))}`,
      { token: admin },
    );
    expect(rest.body.users.map((user) => user.email)).toEqual([
      'bea@example.com',
      'cid@example.com',
      'dan@example.com',
    ]);
    expect(rest.body.nextCursor).toBeNull();
    const found = await api.get<{ users: { email: string }[] }>('/v1/admin/users?query=CID', { token: admin });
    expect(found.body.users.map((user) => user.email)).toEqual(['cid@example.com']);
  });

  it('shows one user; the user list and pages are for admins only', async () => {
    expect(await api.get(`/v1/admin/users/${annId}`, { token: admin })).toMatchObject({
      status: 200,
      body: { id: annId, email: ANN.email, roles: ['accounting'], locked: false, mfa: { status: 'inactive' } },
    });
    const ann = await signIn(ANN);
    expect(await api.get('/v1/admin/users', { token: ann.accessToken })).toMatchObject({
      status: 403,
      body: { error: 'forbidden' },
    });
    expect(await api.get('/v1/admin/users/not-a-user', { token: admin })).toMatchObject({
      status: 404,
      body: { error: 'not_found' },
    });
  });

  it("changes a user's roles, which ends the user's sessions within seconds; the next sign-in carries them", async () => {
    const before = await signIn(ANN);
    expect(jwtClaims(before.accessToken)).toMatchObject({ roles: ['accounting'] });

    const changed = await api.put(`/v1/admin/users/${annId}/roles`, { roles: ['billing'] }, { token: admin });
    expect(changed).toMatchObject({ status: 200, body: { id: annId, email: ANN.email, roles: ['billing'] } });

    await expect
      .poll(async () => (await api.get('/v1/me', { token: before.accessToken })).status, {
        timeout: 15_000,
        interval: 200,
      })
      .toBe(401);
    expect(await api.post('/v1/auth/refresh', { refreshToken: before.refreshToken })).toMatchObject({
      status: 401,
      body: { error: 'invalid_refresh_token' },
    });
    expect(jwtClaims((await signIn(ANN)).accessToken)).toMatchObject({ roles: ['billing'] });
    expect(await api.get(`/v1/admin/users/${annId}`, { token: admin })).toMatchObject({ body: { roles: ['billing'] } });
  });

  it("refuses an admin's change of their own roles, and roles that are not role names", async () => {
    const me = jwtClaims(admin).sub;
    expect(await api.put(`/v1/admin/users/${String(me)}/roles`, { roles: [] }, { token: admin })).toMatchObject({
      status: 403,
      body: { error: 'forbidden', message: 'an admin cannot change their own roles' },
    });
    expect(await api.put(`/v1/admin/users/${annId}/roles`, { roles: ['Not A Role'] }, { token: admin })).toMatchObject({
      status: 400,
      body: { error: 'validation_failed' },
    });
  });
});
