import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MfaRpc, PolicyRpc } from '#contracts';
import { answerPasswordStep, startGatewayUnderTest, USER } from '../gateway.testing.js';

type Gateway = Awaited<ReturnType<typeof startGatewayUnderTest>>;

describe('response headers of the real gateway', () => {
  let gateway: Gateway;
  const raw = (path: string) => fetch(`${gateway.api.baseUrl}${path}`);

  beforeAll(async () => {
    gateway = await startGatewayUnderTest({ LOGIN_RATE_LIMIT_PER_MINUTE: '1000' });
    answerPasswordStep(gateway.services)
      .answer(MfaRpc.getStatus, { status: 'inactive', activatedAt: null })
      .answer(PolicyRpc.evaluateLogin, { allowed: true, mfaRequired: false, enrollmentRequired: false });
  });
  afterAll(() => gateway.close());

  it('forbids caching of every answer: a token, an error, a public key', async () => {
    const answers = [
      await gateway.api.post('/v1/auth/login', { email: USER.email, password: 'pw' }),
      await gateway.api.post('/v1/auth/login', { email: '' }),
      await gateway.api.get('/v1/me'),
      await gateway.api.get('/v1/nowhere'),
      await gateway.api.get('/.well-known/jwks.json'),
    ];

    expect(answers.map((answer) => answer.status)).toEqual([200, 400, 401, 404, 200]);
    for (const answer of answers) expect(answer.headers.get('cache-control')).toBe('no-store');
  });

  it('sends the standard security headers (helmet), and no X-Powered-By', async () => {
    const { headers } = await gateway.api.get('/.well-known/jwks.json');

    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
    expect(headers.get('referrer-policy')).toBe('no-referrer');
    expect(headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(headers.get('content-security-policy')).toContain("frame-ancestors 'self'");
    expect(headers.get('x-powered-by')).toBeNull();
  });

  it('asks for a bearer token on a 401', async () => {
    const response = await gateway.api.get('/v1/me');

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="totp-mfa", error="invalid_token"');
  });

  it('keeps /docs working under its Content-Security-Policy: its scripts and styles are its own files', async () => {
    const page = await raw('/docs');
    const html = await page.text();
    const csp = page.headers.get('content-security-policy') ?? '';

    expect(page.status).toBe(200);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    // No inline script (the CSP would block it); every script is served from the gateway itself.
    expect(html).not.toMatch(/<script>(?!\s*<\/script>)[^<]/);
    const scripts = [...html.matchAll(/<script[^>]*src="([^"]+)"/g)].map((match) => match[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) {
      expect(script).not.toMatch(/^(https?:)?\/\//);
      const asset = await raw(new URL(script, `${gateway.api.baseUrl}/docs`).pathname);
      expect(asset.status).toBe(200);
    }
    expect((await raw('/docs-json')).status).toBe(200);
  });

  it('serves the AsyncAPI document of the integration events next to the OpenAPI one, without a token', async () => {
    const response = await raw('/docs/asyncapi.json');

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toMatchObject({
      asyncapi: '3.0.0',
      channels: { identityEvents: { address: 'auth.identity.events' }, mfaEvents: { address: 'auth.mfa.events' } },
    });
  });
});
