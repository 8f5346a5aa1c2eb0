import { afterEach, describe, expect, it } from 'vitest';
import { DomainError, IdentityRpc, PolicyRpc } from '#contracts';
import { requestContext } from '#observability';
import { answerPasswordStep, startGatewayUnderTest } from '../gateway.testing.js';

type Gateway = Awaited<ReturnType<typeof startGatewayUnderTest>>;

const EMAIL = 'ada@example.com';
const PASSWORD = 'not the password, but close';

/** The structured warnings the gateway logged (the collecting logger keeps them as JSON). */
const warnings = (gateway: Gateway): Record<string, unknown>[] =>
  gateway.logger.lines
    .filter((line) => line.startsWith('warn {'))
    .map((line) => JSON.parse(line.slice('warn '.length, line.lastIndexOf('}') + 1)) as Record<string, unknown>);

describe('what a login leaves for an operator', () => {
  let gateway: Gateway;

  afterEach(async () => {
    await gateway?.close();
  });

  const login = (headers: Record<string, string> = {}) =>
    gateway.api.post('/v1/auth/login', { email: EMAIL, password: PASSWORD }, { headers });

  it('a refused password: a login_failed warning with its reason, never the email or the password', async () => {
    gateway = await startGatewayUnderTest();
    answerPasswordStep(gateway.services).refuse(
      IdentityRpc.verifyCredentials,
      new DomainError('invalid_credentials', 'email or password is incorrect'),
    );

    expect(await login()).toMatchObject({ status: 401 });

    expect(warnings(gateway)).toEqual([
      expect.objectContaining({
        event: 'login_failed',
        step: 'password',
        reason: 'invalid_credentials',
        ip: '127.0.0.1',
      }),
    ]);
    expect(gateway.logger.text()).not.toContain(EMAIL);
    expect(gateway.logger.text()).not.toContain(PASSWORD);
  });

  it('an address the allow-list refuses: a login_refused_by_allowlist warning', async () => {
    gateway = await startGatewayUnderTest();
    answerPasswordStep(gateway.services)
      .answer(PolicyRpc.checkLoginAddress, { allowed: false })
      .refuse(IdentityRpc.verifyCredentials, new DomainError('ip_not_allowed', 'not from here'));

    expect(await login()).toMatchObject({ status: 403, body: { error: 'ip_not_allowed' } });

    expect(warnings(gateway)).toEqual([
      expect.objectContaining({ event: 'login_refused_by_allowlist', step: 'password', ip: '127.0.0.1' }),
    ]);
  });

  it('a rate-limit refusal: a login_rate_limited warning with the route', async () => {
    gateway = await startGatewayUnderTest({ LOGIN_RATE_LIMIT_PER_MINUTE: '1' });
    answerPasswordStep(gateway.services).refuse(
      IdentityRpc.verifyCredentials,
      new DomainError('invalid_credentials', 'email or password is incorrect'),
    );

    await login();
    expect(await login()).toMatchObject({ status: 429 });

    expect(warnings(gateway).map((warning) => warning['event'])).toEqual(['login_failed', 'login_rate_limited']);
    expect(warnings(gateway)[1]).toMatchObject({ route: '/v1/auth/login', ip: '127.0.0.1' });
  });

  it("carries the client's X-Request-Id to every service it calls, and answers it", async () => {
    gateway = await startGatewayUnderTest();
    const seen: (string | undefined)[] = [];
    answerPasswordStep(gateway.services).answer(PolicyRpc.checkLoginAddress, () => {
      seen.push(requestContext().correlationId);
      return { allowed: true };
    });
    gateway.services.refuse(IdentityRpc.verifyCredentials, new DomainError('invalid_credentials', 'no'));

    const refused = await login({ 'X-Request-Id': 'client-req-7' });

    expect(refused.headers.get('x-request-id')).toBe('client-req-7');
    expect(seen).toEqual(['client-req-7']);
  });
});
