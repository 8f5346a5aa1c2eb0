import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DomainError, MfaRpc, PolicyRpc, refreshTokenHashOf, SessionRpc } from '#contracts';
import { answerPasswordStep, refreshTokenOf, sessionOf, startGatewayUnderTest, USER } from '../gateway.testing.js';
import { REFRESH_COOKIE } from './browser-session.js';

type Gateway = Awaited<ReturnType<typeof startGatewayUnderTest>>;

/** What a page of the gateway's own origin sends with `fetch` (Chromium's headers). */
const sameOrigin = (gateway: Gateway) => ({
  'x-session-transport': 'cookie',
  origin: gateway.api.baseUrl,
  'sec-fetch-site': 'same-origin',
});
const withCookie = (refreshToken: string) => ({ cookie: `theme=dark; ${REFRESH_COOKIE}=${refreshToken}` });

/** The session cookie of an answer's Set-Cookie, its attributes lower-cased. */
function sessionCookieOf(headers: Headers): { value: string; attributes: string[] } | undefined {
  const cookie = headers.getSetCookie().find((line) => line.startsWith(`${REFRESH_COOKIE}=`));
  if (!cookie) return undefined;
  const [pair = '', ...attributes] = cookie.split(';').map((part) => part.trim());
  return { value: pair.slice(REFRESH_COOKIE.length + 1), attributes: attributes.map((a) => a.toLowerCase()) };
}

describe('browser sessions: the refresh token in a cookie', () => {
  let gateway: Gateway;

  beforeAll(async () => {
    gateway = await startGatewayUnderTest({ LOGIN_RATE_LIMIT_PER_MINUTE: '1000' });
  });
  afterAll(() => gateway.close());
  beforeEach(() => {
    answerPasswordStep(gateway.services)
      .answer(MfaRpc.getStatus, { status: 'inactive', activatedAt: null, recoveryCodesRemaining: null })
      .answer(PolicyRpc.evaluateLogin, { allowed: true, mfaRequired: false, enrollmentRequired: false })
      .answer(SessionRpc.refreshSession, ({ sessionId }) =>
        sessionOf(USER, { amr: ['pwd'], authenticatedAt: new Date().toISOString() }, sessionId),
      )
      .answer(SessionRpc.endSession, ({ sessionId }) => ({ sessionId }));
  });

  const signIn = () =>
    gateway.api.post('/v1/auth/login', { email: USER.email, password: 'pw' }, { headers: sameOrigin(gateway) });

  it('sets an HttpOnly, Secure, SameSite=Strict cookie for /v1/auth at sign-in, and leaves the token out of the body', async () => {
    const response = await signIn();

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'authenticated', accessToken: expect.any(String) });
    expect(response.body).not.toHaveProperty('refreshToken');
    const cookie = sessionCookieOf(response.headers);
    expect(cookie?.value).toMatch(/^[0-9a-f-]{36}\.[\w-]{43}$/);
    expect(cookie?.attributes).toEqual(
      expect.arrayContaining([
        'path=/v1/auth',
        'httponly',
        'secure',
        'samesite=strict',
        expect.stringMatching(/^max-age=8\d{4}$/),
      ]),
    );
  });

  it('refreshes from the cookie: a new access token, the new refresh token in a new cookie only', async () => {
    const refreshToken = sessionCookieOf((await signIn()).headers)!.value;

    const response = await gateway.api.post('/v1/auth/refresh', undefined, {
      headers: { ...sameOrigin(gateway), ...withCookie(refreshToken) },
    });

    expect(response).toMatchObject({ status: 200, body: { status: 'authenticated', accessToken: expect.any(String) } });
    expect(response.body).not.toHaveProperty('refreshToken');
    expect(gateway.services.requestsTo(SessionRpc.refreshSession).at(-1)).toMatchObject({
      presentedHash: refreshTokenHashOf(refreshToken),
    });
    const renewed = sessionCookieOf(response.headers);
    expect(renewed?.value).toMatch(/^[0-9a-f-]{36}\./);
    expect(renewed?.value).not.toBe(refreshToken);
  });

  it.each([
    ['another site (Sec-Fetch-Site: cross-site)', { 'sec-fetch-site': 'cross-site' }],
    ['a sibling site (Sec-Fetch-Site: same-site)', { 'sec-fetch-site': 'same-site' }],
    ['another origin (Origin)', { origin: 'https://evil.example' }],
    ['nowhere the browser names (neither header)', { origin: undefined, 'sec-fetch-site': undefined }],
  ])('refuses a cookie refresh from %s: 403 forbidden, asking no service', async (_, override) => {
    const before = gateway.services.requestsTo(SessionRpc.refreshSession).length;
    const headers = Object.fromEntries(
      Object.entries({ ...sameOrigin(gateway), ...withCookie(refreshTokenOf(randomUUID())), ...override }).filter(
        (entry): entry is [string, string] => entry[1] !== undefined,
      ),
    );

    const response = await gateway.api.post('/v1/auth/refresh', undefined, { headers });

    expect(response).toMatchObject({ status: 403, body: { error: 'forbidden', message: expect.any(String) } });
    expect(gateway.services.requestsTo(SessionRpc.refreshSession)).toHaveLength(before);
  });

  it('ignores the cookie without the custom header (a cross-site form cannot send one): the body is the token', async () => {
    const response = await gateway.api.post('/v1/auth/refresh', undefined, {
      headers: { origin: gateway.api.baseUrl, ...withCookie(refreshTokenOf(randomUUID())) },
    });

    expect(response).toMatchObject({ status: 400, body: { error: 'validation_failed' } });
  });

  it('refuses the cross-site sign-in that would set the cookie, too', async () => {
    const response = await gateway.api.post(
      '/v1/auth/login',
      { email: USER.email, password: 'pw' },
      { headers: { ...sameOrigin(gateway), 'sec-fetch-site': 'cross-site' } },
    );

    expect(response).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    expect(sessionCookieOf(response.headers)).toBeUndefined();
  });

  it('answers 401 invalid_refresh_token without a cookie, and clears a cookie identity refuses', async () => {
    const missing = await gateway.api.post('/v1/auth/refresh', undefined, { headers: sameOrigin(gateway) });
    expect(missing).toMatchObject({ status: 401, body: { error: 'invalid_refresh_token' } });

    gateway.services.refuse(SessionRpc.refreshSession, new DomainError('invalid_refresh_token', 'revoked'));
    const refused = await gateway.api.post('/v1/auth/refresh', undefined, {
      headers: { ...sameOrigin(gateway), ...withCookie(refreshTokenOf(randomUUID())) },
    });
    expect(refused).toMatchObject({ status: 401, body: { error: 'invalid_refresh_token' } });
    const cleared = sessionCookieOf(refused.headers);
    expect(cleared?.value).toBe('');
    expect(cleared?.attributes).toContain('expires=thu, 01 jan 1970 00:00:00 gmt');
  });

  it('logs out with the cookie: the session ends at identity and the cookie is cleared', async () => {
    const refreshToken = sessionCookieOf((await signIn()).headers)!.value;

    const response = await gateway.api.post('/v1/auth/logout', undefined, {
      headers: { ...sameOrigin(gateway), ...withCookie(refreshToken) },
    });

    expect(response.status).toBe(204);
    expect(gateway.services.requestsTo(SessionRpc.endSession).at(-1)).toEqual({
      sessionId: refreshToken.split('.')[0],
      presentedHash: refreshTokenHashOf(refreshToken),
    });
    expect(sessionCookieOf(response.headers)?.value).toBe('');
  });

  it('keeps API clients as they were: no cookie, the refresh token in the body', async () => {
    const response = await gateway.api.post('/v1/auth/login', { email: USER.email, password: 'pw' });

    expect(response.body).toMatchObject({ status: 'authenticated', refreshToken: expect.any(String) });
    expect(response.headers.getSetCookie()).toEqual([]);
  });
});
