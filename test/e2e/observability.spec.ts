import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { IntegrationEvent } from '#contracts';
import { SqliteEventStore } from '#event-store';
import {
  apiClient,
  settledStep,
  signInAdminWithMfa,
  startSubscriber,
  startSystem,
  totpAt,
  type ApiClient,
  type RunningSystem,
  type Subscriber,
  type SystemMode,
} from '#testing';

/**
 * What an operator gets (issue 11, observability), on the running system as
 * it is deployed: JSON log lines that let one login be followed through every
 * process by its `X-Request-Id`, and hold none of its secrets; the id on the
 * events it caused; metrics and readiness on each process's management
 * listener (HTTP_PORT); a gateway that stays ready, degraded, with a service down.
 */
const ADMIN = { email: 'ops-admin@example.com', password: 'correct horse battery staple' };
const SET_PASSWORD = 'an-admin-chose-this-one';
const PASSWORD = 'a-long-enough-password';

interface LogLine {
  readonly level?: string;
  readonly msg?: string;
  readonly correlationId?: string;
  readonly pattern?: string;
  readonly event?: string;
  readonly [field: string]: unknown;
}

/** Every JSON line a process wrote; a line that is not JSON fails the spec (every line must be). */
const jsonLines = (text: string): LogLine[] =>
  text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        throw new Error(`not a JSON log line: ${line.slice(0, 300)}`);
      }
    });

/** A sample of a Prometheus text exposition: the value of the first line of `name` with every label given. */
function sample(exposition: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const line = exposition
    .split('\n')
    .find(
      (candidate) =>
        (candidate.startsWith(`${name}{`) || candidate.startsWith(`${name} `)) &&
        Object.entries(labels).every(([label, value]) => candidate.includes(`${label}="${value}"`)),
    );
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

const scrape = async (managementUrl: string): Promise<string> => {
  const response = await fetch(`${managementUrl}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  return response.text();
};

describe.each<SystemMode>(['distributed', 'embedded'])('logs, correlation and metrics (%s)', (mode) => {
  let system: RunningSystem;
  let api: ApiClient;
  let subscriber: Subscriber | undefined;
  const published: IntegrationEvent[] = [];
  /** One id per request of the journey, as a client or its proxy would send them. */
  const requestIds = {
    registration: `reg-${mode}-${randomUUID()}`,
    activation: `act.${mode}:${randomUUID()}`,
    password: `pwd-${mode}-${randomUUID()}`,
    code: `login-${mode}-${randomUUID()}`,
  };
  /** Everything that must never reach a log line. */
  const secrets: string[] = [PASSWORD, SET_PASSWORD, ADMIN.password];
  const codes: string[] = [];
  let userId = '';
  /** A second session of the user's when MFA is activated in the first: the activation revokes it. */
  let otherSessionId = '';

  const processesOf = (app: string) => (mode === 'embedded' ? 'standalone' : app);
  const logsOf = (app: string) =>
    system.processes
      .filter((child) => child.app === processesOf(app))
      .map((child) => child.logs())
      .join('');
  const management = (app: string) => system.managementUrlOf(processesOf(app));

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
    if (mode === 'distributed') {
      subscriber = await startSubscriber(inject('kafkaClients').subscriber, {
        groupId: `subscriber-e2e-observability-${randomUUID()}`,
        topics: ['auth.mfa.events'],
        onMessage: (message) => published.push(JSON.parse(message.value?.toString() ?? 'null') as IntegrationEvent),
      });
    }

    const admin = await signInAdminWithMfa(api, ADMIN);
    secrets.push(admin.accessToken, admin.refreshToken, admin.secret);
    const email = `operator-${randomUUID()}@example.com`;
    const registered = await api.post(
      '/v1/admin/users',
      { email, password: SET_PASSWORD, roles: [] },
      { token: admin.accessToken, headers: { 'X-Request-Id': requestIds.registration } },
    );
    expect(registered.status).toBe(201);
    expect(registered.headers.get('x-request-id')).toBe(requestIds.registration);
    userId = String(registered.body.id);
    const first = await api.post('/v1/auth/login', { email, password: SET_PASSWORD });
    const passwordChangeToken = String(first.body.passwordChangeToken);
    secrets.push(passwordChangeToken);
    const changed = await api.post(
      '/v1/me/password',
      { currentPassword: SET_PASSWORD, newPassword: PASSWORD },
      { token: passwordChangeToken },
    );
    expect(changed.status).toBe(200);
    const signedIn = await api.post('/v1/auth/login', { email, password: PASSWORD });
    const token = String(signedIn.body.accessToken);
    secrets.push(token, String(signedIn.body.refreshToken));
    const other = await api.post('/v1/auth/login', { email, password: PASSWORD });
    secrets.push(String(other.body.accessToken), String(other.body.refreshToken));
    otherSessionId = String(other.body.refreshToken).split('.')[0]!;
    const enrollment = await api.post<{ secret: string; otpauthUri: string }>('/v1/me/mfa/enrollment', undefined, {
      token,
    });
    const { secret } = enrollment.body;
    secrets.push(secret, enrollment.body.otpauthUri);
    const step = await settledStep();
    codes.push(totpAt(secret, step - 1), totpAt(secret, step), totpAt(secret, step + 1));
    const activation = await api.post(
      '/v1/me/mfa/activation',
      { code1: codes[0], code2: codes[1] },
      { token, headers: { 'X-Request-Id': requestIds.activation } },
    );
    expect(activation.status).toBe(200);
    secrets.push(...(activation.body.recoveryCodes as string[]));

    // The login: password, then the code of the next step, each with the client's request id.
    const challenge = await api.post(
      '/v1/auth/login',
      { email, password: PASSWORD },
      { headers: { 'X-Request-Id': requestIds.password } },
    );
    expect(challenge.body.status).toBe('mfa_required');
    expect(challenge.headers.get('x-request-id')).toBe(requestIds.password);
    secrets.push(String(challenge.body.mfaToken));
    const authenticated = await api.post(
      '/v1/auth/login/mfa',
      { mfaToken: challenge.body.mfaToken, code: codes[2] },
      { headers: { 'X-Request-Id': requestIds.code } },
    );
    expect(authenticated.body.status).toBe('authenticated');
    expect(authenticated.headers.get('x-request-id')).toBe(requestIds.code);
    secrets.push(String(authenticated.body.accessToken), String(authenticated.body.refreshToken));
  });

  afterAll(async () => {
    await subscriber?.close();
    await system?.stop({ removeData: true });
  });

  it('answers X-Request-Id on every response, errors included, and makes one when the client sent none or a bad one', async () => {
    const refused = await api.post(
      '/v1/auth/login',
      { email: 'nobody@example.com', password: 'not the password' },
      { headers: { 'X-Request-Id': 'refused-1' } },
    );
    expect(refused).toMatchObject({ status: 401, body: { error: 'invalid_credentials' } });
    expect(refused.headers.get('x-request-id')).toBe('refused-1');
    const generated = await api.get('/v1/nothing-here');
    expect(generated.status).toBe(404);
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const unsafe = await api.get('/health', { headers: { 'X-Request-Id': 'a b<script>' } });
    expect(unsafe.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    // The refusal left a warning an operator can alert on, with its reason and no email.
    await expect
      .poll(() => jsonLines(logsOf('gateway')).filter((line) => line.correlationId === 'refused-1'))
      .toContainEqual(
        expect.objectContaining({
          level: 'warn',
          event: 'login_failed',
          reason: 'invalid_credentials',
          step: 'password',
        }),
      );
    expect(logsOf('gateway')).not.toContain('nobody@example.com');
  });

  it("follows the login's request id through the gateway's, identity's and mfa's JSON log lines", () => {
    const withId = (app: string, id: string) => jsonLines(logsOf(app)).filter((line) => line.correlationId === id);
    expect(withId('gateway', requestIds.code)).toContainEqual(
      expect.objectContaining({ event: 'http_request', route: '/v1/auth/login/mfa', status: 200 }),
    );
    expect(withId('mfa', requestIds.code)).toContainEqual(
      expect.objectContaining({ event: 'rpc_handled', pattern: 'mfa.verify-challenge', outcome: 'ok' }),
    );
    expect(withId('identity', requestIds.code)).toContainEqual(
      expect.objectContaining({ event: 'rpc_handled', pattern: 'identity.start-session', outcome: 'ok' }),
    );
    expect(withId('identity', requestIds.password)).toContainEqual(
      expect.objectContaining({ event: 'rpc_handled', pattern: 'identity.verify-credentials', outcome: 'ok' }),
    );
    expect(withId('gateway', requestIds.password)).toContainEqual(
      expect.objectContaining({ event: 'http_request', route: '/v1/auth/login', status: 200 }),
    );
    for (const line of withId('mfa', requestIds.code)) {
      expect(line).toMatchObject({ level: expect.any(String), time: expect.any(String), msg: expect.any(String) });
    }
  });

  it('records the request id on the events the login caused, stored and published', async () => {
    const store = new SqliteEventStore(join(system.dataDir, 'mfa.sqlite'), { readonly: true });
    try {
      const events = await store.read(`mfa-${userId}`);
      const verified = events.find((event) => event.type === 'MfaChallengeVerified');
      expect(verified?.metadata).toMatchObject({
        correlationId: requestIds.code,
        causationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
      expect(events.find((event) => event.type === 'MfaActivated')?.metadata).toMatchObject({
        correlationId: requestIds.activation,
      });
    } finally {
      await store.close();
    }
    if (mode === 'embedded') return expect(system.env.KAFKA_BROKERS).toBeUndefined();
    await expect
      .poll(() => published.find((event) => event.userId === userId && event.type === 'MfaChallengeVerified'), {
        timeout: 30_000,
      })
      .toMatchObject({ correlationId: requestIds.code, causationId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  it("records on a reaction's events the event that caused them, and the request it goes back to", async () => {
    const mfa = new SqliteEventStore(join(system.dataDir, 'mfa.sqlite'), { readonly: true });
    const identity = new SqliteEventStore(join(system.dataDir, 'identity.sqlite'), { readonly: true });
    try {
      const activated = (await mfa.read(`mfa-${userId}`)).find((event) => event.type === 'MfaActivated')!;
      // Identity revokes the user's other sessions when MFA is switched on (an integration event it reacts to).
      const revoked = await vi.waitFor(
        async () => {
          const found = (await identity.read(`session-${otherSessionId}`)).find(
            (event) => event.type === 'SessionRevoked',
          );
          if (!found) throw new Error(`session-${otherSessionId} not revoked yet`);
          return found;
        },
        { timeout: 30_000, interval: 250 },
      );
      expect(revoked.metadata).toMatchObject({ correlationId: requestIds.activation, causationId: activated.id });
    } finally {
      await mfa.close();
      await identity.close();
    }
  });

  it('never writes a password, a TOTP secret, a code or a token to any log line', () => {
    const logs = system.logs();
    expect(jsonLines(logsOf('gateway')).length).toBeGreaterThan(10);
    for (const secret of secrets) expect(logs).not.toContain(secret);
    for (const token of secrets.filter((secret) => secret.split('.').length === 3)) {
      expect(logs).not.toContain(token.split('.')[2]);
    }
    for (const code of codes) expect(logs).not.toMatch(new RegExp(`(?<![0-9])${code}(?![0-9])`));
    expect(logs).not.toContain('$argon2');
    expect(logs.toLowerCase()).not.toContain('bearer ');
  });

  it('counts logins, code checks and request latencies on each process /metrics', async () => {
    const gateway = await scrape(management('gateway'));
    expect(sample(gateway, 'totp_mfa_logins_total', { step: 'mfa', outcome: 'authenticated' })).toBeGreaterThanOrEqual(
      1,
    );
    expect(
      sample(gateway, 'totp_mfa_logins_total', { step: 'password', outcome: 'mfa_required' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(gateway, 'totp_mfa_rpc_client_duration_seconds_count', { pattern: 'mfa.verify-challenge', outcome: 'ok' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(gateway, 'totp_mfa_http_requests_total', { route: '/v1/auth/login/mfa', status: '200' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(gateway, 'totp_mfa_process_cpu_seconds_total')).toBeGreaterThan(0);

    const mfa = await scrape(management('mfa'));
    expect(
      sample(mfa, 'totp_mfa_code_checks_total', { purpose: 'login', outcome: 'accepted', reason: 'none' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(mfa, 'totp_mfa_rpc_server_duration_seconds_count', { pattern: 'mfa.verify-challenge', outcome: 'ok' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(mfa, 'totp_mfa_event_store_append_duration_seconds_count', { outcome: 'ok' })).toBeGreaterThan(0);

    const identity = await scrape(management('identity'));
    expect(sample(identity, 'totp_mfa_password_checks_total', { outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    await expect
      .poll(async () => sample(await scrape(management('mfa')), 'totp_mfa_relay_published_total'))
      .toBeGreaterThan(0);
  });

  it('is live and ready on every process, and the gateway stays ready, degraded, with policy down', async () => {
    for (const url of system.managementUrls) {
      expect((await fetch(`${url}/health/live`)).status).toBe(200);
      const ready = await fetch(`${url}/health/ready`);
      expect(ready.status, `${url}: ${await ready.clone().text()}`).toBe(200);
    }
    if (mode === 'embedded') return expect(system.processes).toHaveLength(1);

    await system.processes.find((child) => child.app === 'policy')!.stop();
    const health = await fetch(`${system.baseUrl}/health`);
    expect(health.status).toBe(503);
    const ready = await fetch(`${management('gateway')}/health/ready`);
    const body = (await ready.json()) as { status: string; details: Record<string, Record<string, unknown>> };
    expect(ready.status).toBe(200);
    expect(body.status).toBe('degraded');
    expect(body.details['gateway']).toMatchObject({
      status: 'degraded',
      services: {
        identity: { status: 'up' },
        mfa: { status: 'up' },
        policy: { status: 'down', unavailable: expect.arrayContaining(['POST /v1/auth/login']) },
      },
    });
  });
});
