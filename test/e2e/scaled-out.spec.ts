import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  apiClient,
  settledStep,
  startSystem,
  totpAt,
  waitForStepAfter,
  type ApiClient,
  type RunningSystem,
} from '#testing';

/** The machine's PostgreSQL (trust authentication): each run in a database of its own. */
const POSTGRES_URL = process.env['POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const database = `e2e_${randomUUID().slice(0, 8)}`;
const ADMIN = { email: 'admin@example.com', password: 'admin long password' };
const ANN = { email: 'ann@example.com', password: 'ann long password, hers' };

async function onServer<T>(work: (client: pg.Client) => Promise<T>, url = POSTGRES_URL): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Scaled out: two gateways, two identity, two mfa and two policy processes
 * over Kafka, every service's events in its own schema of one PostgreSQL
 * database, and the journey driven through both gateways alternately — each
 * step of a sign-in may land on any instance of any service.
 */
describe('every service twice, over Kafka and PostgreSQL', () => {
  const storeUrl = POSTGRES_URL.replace(/\/[^/?]*(\?|$)/, `/${database}$1`);
  let system: RunningSystem;
  let a: ApiClient;
  let b: ApiClient;

  beforeAll(async () => {
    await onServer((client) => client.query(`CREATE DATABASE "${database}"`));
    system = await startSystem({
      mode: 'distributed',
      instances: 2,
      kafka: inject('kafkaClients'),
      env: {
        EVENTSTORE_URL: storeUrl,
        BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
        BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
        LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
      },
      readyTimeoutMs: 120_000,
    });
    [a, b] = system.baseUrls.map((url) => apiClient(url)) as [ApiClient, ApiClient];
  }, 180_000);

  afterAll(async () => {
    await system?.stop({ removeData: true });
    await onServer((client) => client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));
  }, 60_000);

  /** Enrols on one gateway and activates on the other; answers the secret and the activation's later step. */
  const activateMfa = async (token: string): Promise<{ secret: string; step: number }> => {
    const { secret } = (await a.post<{ secret: string }>('/v1/me/mfa/enrollment', undefined, { token })).body;
    const step = await settledStep();
    const activation = await b.post(
      '/v1/me/mfa/activation',
      { code1: totpAt(secret, step - 1), code2: totpAt(secret, step) },
      { token },
    );
    expect(activation).toMatchObject({ status: 200, body: { status: 'active' } });
    return { secret, step };
  };

  /** The password on one gateway, the code on the other. */
  const signInWithCode = async (user: typeof ANN, secret: string, step: number, first = a, second = b) => {
    const challenge = await first.post('/v1/auth/login', user);
    expect(challenge.body, JSON.stringify(challenge.body)).toMatchObject({ status: 'mfa_required' });
    const signedIn = await second.post('/v1/auth/login/mfa', {
      mfaToken: challenge.body.mfaToken,
      code: totpAt(secret, step),
    });
    expect(signedIn.body).toMatchObject({ status: 'authenticated' });
    return { accessToken: String(signedIn.body.accessToken), refreshToken: String(signedIn.body.refreshToken) };
  };

  let admin = '';
  let annSecret = '';
  let annStep = 0;

  it('walks the admin through MFA set-up and a sign-in, each step on either gateway', async () => {
    const first = await b.post('/v1/auth/login', ADMIN);
    expect(first.body).toMatchObject({ status: 'mfa_enrollment_required' });
    const { secret, step } = await activateMfa(String(first.body.accessToken));
    admin = (await signInWithCode(ADMIN, secret, step + 1)).accessToken;
    expect(await b.get('/v1/admin/policies', { token: admin })).toMatchObject({ status: 200 });
  });

  it('creates a user on one gateway who sets her password and MFA up across both', async () => {
    const setByAdmin = 'set by the admin, long enough';
    const created = await a.post('/v1/admin/users', { ...ANN, password: setByAdmin, roles: [] }, { token: admin });
    expect(created.status).toBe(201);
    const first = await b.post('/v1/auth/login', { email: ANN.email, password: setByAdmin });
    expect(first.body).toMatchObject({ status: 'password_change_required' });
    const changed = await a.post(
      '/v1/me/password',
      { currentPassword: setByAdmin, newPassword: ANN.password },
      { token: String(first.body.passwordChangeToken) },
    );
    expect(changed.status).toBe(200);
    const signedIn = await b.post('/v1/auth/login', ANN);
    expect(signedIn.body).toMatchObject({ status: 'authenticated' });
    ({ secret: annSecret, step: annStep } = await activateMfa(String(signedIn.body.accessToken)));
    expect(await a.get('/v1/admin/users?query=ann', { token: admin })).toMatchObject({
      body: { users: [{ email: ANN.email, mfa: { status: 'active' } }] },
    });
  });

  it('refuses a code used once, whichever gateway and instance it is offered to again', async () => {
    const step = annStep + 1;
    await signInWithCode(ANN, annSecret, step, b, a);
    const again = await a.post('/v1/auth/login', ANN);
    expect(
      await b.post('/v1/auth/login/mfa', { mfaToken: again.body.mfaToken, code: totpAt(annSecret, step) }),
    ).toMatchObject({ status: 401, body: { error: 'invalid_code' } });
    annStep = step;
  });

  it('rotates a refresh token on one gateway; the old one replayed on the other ends the session on both', async () => {
    await waitForStepAfter(annStep - 1); // a later step than the last one used, within the accepted drift
    const step = annStep + 1;
    const session = await signInWithCode(ANN, annSecret, step);
    annStep = step;
    const rotated = await b.post('/v1/auth/refresh', { refreshToken: session.refreshToken });
    expect(rotated.body).toMatchObject({ status: 'authenticated' });
    expect(await a.post('/v1/auth/refresh', { refreshToken: session.refreshToken })).toMatchObject({
      status: 401,
      body: { error: 'invalid_refresh_token' },
    });
    const accessToken = String(rotated.body.accessToken);
    for (const api of [a, b]) {
      await expect
        .poll(async () => (await api.get('/v1/me', { token: accessToken })).status, { timeout: 15_000, interval: 200 })
        .toBe(401);
    }
  });

  it("applies an allow-list set on one gateway to sign-ins on the other, and the admin's reset everywhere", async () => {
    const denied = await b.put('/v1/admin/policies/ip-allowlist', { cidrs: ['192.0.2.0/24'] }, { token: admin });
    expect(denied.status).toBe(200);
    await expect
      .poll(async () => (await a.post('/v1/auth/login', ANN)).status, { timeout: 15_000, interval: 200 })
      .toBe(403);
    const allowed = await a.put('/v1/admin/policies/ip-allowlist', { cidrs: [] }, { token: admin });
    expect(allowed.status).toBe(200);
    await expect
      .poll(async () => (await b.post('/v1/auth/login', ANN)).body['status'], { timeout: 15_000, interval: 200 })
      .toBe('mfa_required');

    const listed = await b.get<{ users: { id: string }[] }>('/v1/admin/users?query=ann', { token: admin });
    const annId = listed.body.users[0]!.id;
    expect(
      await a.post(`/v1/admin/users/${annId}/mfa/reset`, { reason: 'phone lost' }, { token: admin }),
    ).toMatchObject({ status: 200, body: { status: 'inactive' } });
    expect((await b.post('/v1/auth/login', ANN)).body).toMatchObject({ status: 'authenticated' });
  });

  it('kept every service in its own schema, gap-free per stream, and nothing in SQLite files', async () => {
    for (const service of ['identity', 'mfa', 'policy']) {
      expect(existsSync(join(system.dataDir, `${service}.sqlite`))).toBe(false);
    }
    const streams = await onServer(
      (client) =>
        client.query<{ schema: string; stream: string; events: string; last: string }>(`
          SELECT 'identity' AS schema, stream, COUNT(*) AS events, MAX(revision) AS last FROM identity.events GROUP BY stream
          UNION ALL SELECT 'mfa', stream, COUNT(*), MAX(revision) FROM mfa.events GROUP BY stream
          UNION ALL SELECT 'policy', stream, COUNT(*), MAX(revision) FROM policy.events GROUP BY stream`),
      storeUrl,
    );
    const schemas = new Set(streams.rows.map((row) => row.schema));
    expect([...schemas].sort()).toEqual(['identity', 'mfa', 'policy']);
    expect(streams.rows.some((row) => row.schema === 'mfa' && row.stream.startsWith('mfa-'))).toBe(true);
    for (const row of streams.rows) expect(Number(row.events), row.stream).toBe(Number(row.last) + 1);
  });
});
