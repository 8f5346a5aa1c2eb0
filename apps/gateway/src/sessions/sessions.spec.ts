import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DomainError,
  IdentityRpc,
  INTEGRATION_TOPICS,
  MfaRpc,
  PolicyRpc,
  refreshTokenHashOf,
  SessionRpc,
  type IntegrationEvent,
} from '#contracts';
import { processBus } from '#messaging';
import { jwtClaims } from '#testing';
import { answerPasswordStep, refreshTokenOf, sessionOf, startGatewayUnderTest, USER } from '../gateway.testing.js';

type Gateway = Awaited<ReturnType<typeof startGatewayUnderTest>>;

const PHONE = { 'user-agent': 'spec-phone/2.0' };
const ACTIVE = { status: 'active', activatedAt: '2025-06-02T10:00:00.000Z' } as const;

/** A sign-in through the real login route (no MFA): its answer. */
async function signIn(gateway: Gateway) {
  const response = await gateway.api.post('/v1/auth/login', { email: USER.email, password: 'pw' });
  expect(response.status).toBe(200);
  return response.body as { accessToken: string; refreshToken: string; expiresIn: number; refreshExpiresIn: number };
}

const revokedEvent = (sessionId: string): IntegrationEvent => ({
  eventId: randomUUID(),
  type: 'SessionRevoked',
  schemaVersion: 1,
  aggregateId: sessionId,
  userId: USER.id,
  occurredAt: new Date().toISOString(),
  source: { stream: `session-${sessionId}`, revision: 1, position: '9' },
  data: { schemaVersion: 1, sessionId, userId: USER.id, revokedAt: new Date().toISOString(), reason: 'logout' },
});

describe('sessions at the gateway', () => {
  let gateway: Gateway;

  beforeAll(async () => {
    gateway = await startGatewayUnderTest({ LOGIN_RATE_LIMIT_PER_MINUTE: '1000' });
  });
  afterAll(() => gateway.close());
  beforeEach(() => {
    answerPasswordStep(gateway.services)
      .answer(MfaRpc.getStatus, { status: 'inactive', activatedAt: null })
      .answer(PolicyRpc.evaluateLogin, { allowed: true, mfaRequired: false, enrollmentRequired: false })
      .answer(SessionRpc.refreshSession, ({ sessionId }) =>
        sessionOf(USER, { amr: ['pwd', 'otp'], authenticatedAt: '2025-06-02T10:00:00.000Z' }, sessionId),
      )
      .answer(SessionRpc.endSession, ({ sessionId }) => ({ sessionId }))
      .answer(SessionRpc.revokeSession, ({ sessionId }) => ({ sessionId }));
  });

  describe('a sign-in', () => {
    it('answers an access token of 5 minutes naming its session, and the session’s refresh token', async () => {
      const answer = await signIn(gateway);

      expect(answer).toMatchObject({ status: 'authenticated', tokenType: 'Bearer', expiresIn: 300 });
      const claims = jwtClaims(answer.accessToken);
      expect(claims).toMatchObject({ sub: USER.id, sid: expect.any(String), auth_time: expect.any(Number) });
      expect(Number(claims['exp']) - Number(claims['iat'])).toBe(300);
      expect(answer.refreshToken.startsWith(`${String(claims['sid'])}.`)).toBe(true);
      expect(answer.refreshExpiresIn).toBeGreaterThan(24 * 3600 - 5);
    });
  });

  describe('POST /v1/auth/refresh', () => {
    it('trades a refresh token for a new access token and a new refresh token, with the claims identity keeps', async () => {
      const { refreshToken } = await signIn(gateway);
      const sessionId = refreshToken.split('.')[0];

      const response = await gateway.api.post('/v1/auth/refresh', { refreshToken }, { headers: PHONE });

      expect(response).toMatchObject({ status: 200, body: { status: 'authenticated', expiresIn: 300 } });
      expect(response.body.refreshToken).not.toBe(refreshToken);
      expect(jwtClaims(String(response.body.accessToken))).toMatchObject({
        sid: sessionId,
        amr: ['pwd', 'otp'],
        auth_time: Date.parse('2025-06-02T10:00:00.000Z') / 1000,
      });
      // Identity is sent hashes: of the token presented, and of the one the gateway made to replace it.
      expect(gateway.services.requestsTo(SessionRpc.refreshSession).at(-1)).toEqual({
        sessionId,
        presentedHash: refreshTokenHashOf(refreshToken),
        refreshTokenHash: refreshTokenHashOf(String(response.body.refreshToken)),
        context: { ip: '127.0.0.1', userAgent: PHONE['user-agent'] },
      });
      expect(String(response.body.refreshToken).startsWith(`${sessionId}.`)).toBe(true);
    });

    it('answers 401 invalid_refresh_token as identity refuses it (a replay ends the session there)', async () => {
      gateway.services.refuse(
        SessionRpc.refreshSession,
        new DomainError('invalid_refresh_token', 'the refresh token is invalid, expired or revoked; sign in again'),
      );

      const response = await gateway.api.post('/v1/auth/refresh', { refreshToken: refreshTokenOf(randomUUID()) });

      expect(response).toMatchObject({ status: 401, body: { error: 'invalid_refresh_token' } });
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="totp-mfa"');
    });

    it.each([{}, { refreshToken: 'not a token' }, { refreshToken: 42 }])(
      'answers 400 validation_failed to %o, asking no service',
      async (body) => {
        const before = gateway.services.patternsCalled().length;
        expect(await gateway.api.post('/v1/auth/refresh', body)).toMatchObject({
          status: 400,
          body: { error: 'validation_failed' },
        });
        expect(gateway.services.patternsCalled()).toHaveLength(before);
      },
    );

    it('needs no access token (an expired one is why a client refreshes)', async () => {
      const { refreshToken } = await signIn(gateway);
      const response = await gateway.api.post('/v1/auth/refresh', { refreshToken }, { token: 'expired.or.garbage' });
      expect(response.status).toBe(200);
    });
  });

  describe('POST /v1/auth/logout', () => {
    it("ends the refresh token's session: 204, and its access tokens are refused once identity publishes it", async () => {
      const { accessToken, refreshToken } = await signIn(gateway);
      const sessionId = refreshToken.split('.')[0]!;

      expect(await gateway.api.post('/v1/auth/logout', { refreshToken })).toMatchObject({ status: 204 });
      expect(gateway.services.requestsTo(SessionRpc.endSession).at(-1)).toEqual({
        sessionId,
        presentedHash: refreshTokenHashOf(refreshToken),
      });

      // identity's SessionRevoked, as its relay publishes it on auth.identity.events
      await processBus.emit(INTEGRATION_TOPICS.identity, revokedEvent(sessionId));
      const refused = await gateway.api.get('/v1/me/sessions', { token: accessToken });
      expect(refused).toMatchObject({ status: 401, body: { error: 'invalid_token' } });
      expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="totp-mfa", error="invalid_token"');
    });
  });

  describe('GET /v1/me/sessions', () => {
    it("lists the user's sessions as identity has them, marking the one of this access token", async () => {
      const { accessToken } = await signIn(gateway);
      const current = String(jwtClaims(accessToken)['sid']);
      const other = randomUUID();
      const session = (id: string) => ({
        id,
        startedAt: '2025-06-02T10:00:00.000Z',
        lastRefreshedAt: null,
        ip: '203.0.113.7',
        userAgent: 'spec',
        expiresAt: '2025-06-09T10:00:00.000Z',
      });
      gateway.services.answer(SessionRpc.listSessions, { sessions: [session(current), session(other)] });

      const response = await gateway.api.get('/v1/me/sessions', { token: accessToken });

      expect(response).toEqual({
        status: 200,
        headers: response.headers,
        body: {
          sessions: [
            { ...session(current), current: true },
            { ...session(other), current: false },
          ],
        },
      });
      expect(gateway.services.requestsTo(SessionRpc.listSessions).at(-1)).toEqual({ userId: USER.id });
    });

    it('needs an access token', async () => {
      expect(await gateway.api.get('/v1/me/sessions')).toMatchObject({ status: 401, body: { error: 'invalid_token' } });
    });
  });

  describe('DELETE /v1/me/sessions/{id}', () => {
    it("ends one of the user's sessions: 204", async () => {
      const { accessToken } = await signIn(gateway);
      const lost = randomUUID();

      const response = await gateway.api.delete(`/v1/me/sessions/${lost}`, { token: accessToken });

      expect(response.status).toBe(204);
      expect(gateway.services.requestsTo(SessionRpc.revokeSession).at(-1)).toEqual({
        userId: USER.id,
        sessionId: lost,
      });
    });

    it("answers 404 for a session that is not the user's, and 400 for what is no id", async () => {
      const { accessToken } = await signIn(gateway);
      gateway.services.refuse(SessionRpc.revokeSession, new DomainError('not_found', 'no such session'));

      expect(await gateway.api.delete(`/v1/me/sessions/${randomUUID()}`, { token: accessToken })).toMatchObject({
        status: 404,
        body: { error: 'not_found' },
      });
      expect(await gateway.api.delete('/v1/me/sessions/..%2Fx', { token: accessToken })).toMatchObject({
        status: 400,
        body: { error: 'validation_failed' },
      });
    });
  });

  describe('changes of credentials name the session they were made in', () => {
    it('sends the access token’s session with an MFA activation, a deactivation and a password change', async () => {
      const { accessToken } = await signIn(gateway);
      const sid = String(jwtClaims(accessToken)['sid']);
      gateway.services
        .answer(MfaRpc.activate, {
          ...ACTIVE,
          recoveryCodesRemaining: 10,
          recoveryCodes: Array.from({ length: 10 }, () => '0000-0000-0000-0000').join(' '),
        })
        .answer(MfaRpc.deactivate, { status: 'inactive', activatedAt: null })
        .answer(IdentityRpc.changePassword, { changedAt: '2025-06-02T10:00:00.000Z' });

      await gateway.api.post('/v1/me/mfa/activation', { code1: '123456', code2: '654321' }, { token: accessToken });
      await gateway.api.post('/v1/me/mfa/deactivation', { code: '123456', confirm: true }, { token: accessToken });
      await gateway.api.post(
        '/v1/me/password',
        { currentPassword: 'old long password', newPassword: 'new long password' },
        { token: accessToken },
      );

      expect(gateway.services.actingSessionsOf(MfaRpc.activate).at(-1)).toBe(sid);
      expect(gateway.services.actingSessionsOf(MfaRpc.deactivate).at(-1)).toBe(sid);
      expect(gateway.services.actingSessionsOf(IdentityRpc.changePassword).at(-1)).toBe(sid);
    });
  });
});
