import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiClient,
  createUserWithMfa,
  signInAdminWithMfa,
  totpAt,
  waitForStepAfter,
  type ApiClient,
  type ApiResponse,
  type UserWithMfa,
} from '#testing';
import {
  compose,
  composeEnv,
  GATEWAY_URL,
  HEALTH_CHECKED,
  healthOf,
  makeSecrets,
  waitHealthy,
  whyStackUnavailable,
  type StackSecrets,
} from './compose-stack.js';

/**
 * The images and docker-compose.yml as a user runs them: Kafka (TLS, SCRAM, ACLs), the
 * PostgreSQL store, the five apps, the gateway on 127.0.0.1:3000. The journey over HTTP,
 * then the mfa container stopped and started: its state is in the store, not in the
 * container, so nothing is lost and nothing used becomes usable again. Always torn down
 * (`down -v`). Skipped, with the reason in its name, where no engine or no image is
 * there; when CI built the images (TOTP_MFA_COMPOSE=1), a missing piece fails instead.
 */
const PASSWORD = 'a compose journey password';
const required = process.env['TOTP_MFA_COMPOSE'] === '1';
const unavailable = required ? undefined : whyStackUnavailable();
if (unavailable) console.warn(`compose: the Compose stack tests are skipped: ${unavailable}`);

describe.skipIf(unavailable !== undefined)(
  `the Compose stack${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let secrets: StackSecrets;
    let env: NodeJS.ProcessEnv;
    let api: ApiClient;
    let user: UserWithMfa;
    /** The login that used the step after activation's: its mfaToken and code must stay refused. */
    let used: { mfaToken: string; code: string; step: number };

    const login = () => api.post('/v1/auth/login', { email: user.email, password: PASSWORD });
    /** The answer once it is not 503 (a restarted service's consumer still joining its group), for up to 60 s. */
    const answered = async (request: () => Promise<ApiResponse>): Promise<ApiResponse> => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const response = await request();
        if (response.status !== 503 || Date.now() > deadline) return response;
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    };

    beforeAll(async () => {
      secrets = makeSecrets();
      env = composeEnv(secrets);
      api = apiClient(GATEWAY_URL);
      // A previous run killed before its teardown.
      await compose(env, ['down', '-v', '--remove-orphans'], 120_000);
      try {
        // Compose v1 has no --wait: `up` starts each service once its dependencies are healthy.
        await compose(env, ['up', '-d'], 420_000);
        await waitHealthy(HEALTH_CHECKED, 180_000);
      } catch (error) {
        const logs = await compose(env, ['logs', '--no-color', '--tail', '40']).catch(() => '');
        throw new Error(`${error instanceof Error ? error.message : String(error)}\n${logs.slice(-12_000)}`);
      }
    }, 720_000);

    afterAll(async () => {
      if (env) await compose(env, ['down', '-v', '--remove-orphans'], 180_000);
    }, 240_000);

    it('serves the journey: admin with MFA, a user enrolled and activated, an MFA login', async () => {
      const health = await api.get<{ status: string; services: Record<string, { eventStore?: string }> }>('/health');
      expect(health.status).toBe(200);
      expect(Object.values(health.body.services).map((service) => service.eventStore)).toEqual([
        'postgresql',
        'postgresql',
        'postgresql',
      ]);

      const admin = await signInAdminWithMfa(api, secrets.admin);
      user = await createUserWithMfa(api, admin.accessToken, { email: 'compose@example.com', password: PASSWORD });

      const challenge = await login();
      expect(challenge.body).toMatchObject({ status: 'mfa_required' });
      const mfaToken = String(challenge.body.mfaToken);
      const step = user.activatedStep + 1;
      const code = totpAt(user.secret, step);
      const signedIn = await api.post('/v1/auth/login/mfa', { mfaToken, code });
      expect(signedIn).toMatchObject({ status: 200, body: { status: 'authenticated', tokenType: 'Bearer' } });
      used = { mfaToken, code, step };

      const replay = await api.post('/v1/auth/login/mfa', { mfaToken: String((await login()).body.mfaToken), code });
      expect(replay).toMatchObject({ status: 401, body: { error: 'invalid_code' } });
      const me = await api.get('/v1/me', { token: String(signedIn.body.accessToken) });
      expect(me).toMatchObject({ status: 200, body: { email: user.email } });
    });

    it('loses nothing when the mfa container is stopped and started', async () => {
      expect(used, 'the journey test ran first').toBeDefined();
      await compose(env, ['stop', 'mfa'], 120_000);
      expect(await healthOf('mfa')).not.toBe('healthy');
      // A partial outage stays partial: the gateway is still ready. Logins fail closed: without the
      // mfa service nobody can tell whether the user has MFA, so the password step answers 503.
      expect(await healthOf('gateway')).toBe('healthy');
      const duringOutage = await login();
      expect(duringOutage).toMatchObject({ status: 503, body: { error: 'service_unavailable' } });

      await compose(env, ['start', 'mfa'], 120_000);
      await waitHealthy(['mfa'], 180_000);

      // Still active: the password alone does not sign in.
      const challenge = await login();
      expect(challenge.body).toMatchObject({ status: 'mfa_required' });
      // The used step and the used mfaToken are still refused (once the restarted consumer has its partitions).
      const usedStep = await answered(() =>
        api.post('/v1/auth/login/mfa', { mfaToken: challenge.body.mfaToken, code: used.code }),
      );
      expect(usedStep).toMatchObject({ status: 401, body: { error: 'invalid_code' } });
      const usedToken = await answered(() =>
        api.post('/v1/auth/login/mfa', { mfaToken: used.mfaToken, code: totpAt(user.secret, used.step + 1) }),
      );
      expect(usedToken).toMatchObject({ status: 401, body: { error: 'invalid_mfa_token' } });

      // A step never used signs in: once the step after the used one is current, the next one is within the drift.
      await waitForStepAfter(used.step);
      const later = await answered(async () =>
        api.post('/v1/auth/login/mfa', {
          mfaToken: String((await login()).body.mfaToken),
          code: totpAt(user.secret, used.step + 2),
        }),
      );
      expect(later).toMatchObject({ status: 200, body: { status: 'authenticated' } });
    });
  },
);
