import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainError, IdentityRpc, MfaRpc, type MfaStatusView } from '#contracts';
import { TokenService } from '../auth/token.service.js';
import { answerPasswordStep, gatewayConfig, signingKeyPem, startGatewayUnderTest, USER } from '../gateway.testing.js';

const ACTIVE: MfaStatusView = { status: 'active', activatedAt: '2025-06-02T10:00:00.000Z', recoveryCodesRemaining: 10 };
const INACTIVE: MfaStatusView = { status: 'inactive', activatedAt: null, recoveryCodesRemaining: null };
const CHANGE = { currentPassword: 'the password an admin set', newPassword: 'a password of my own choosing' };
const CLIENT = { 'x-forwarded-for': '203.0.113.7', 'user-agent': 'spec-agent/1.0' };

/** `POST /v1/me/password` in the real gateway, the services scripted. */
describe('POST /v1/me/password', () => {
  let gateway: Awaited<ReturnType<typeof startGatewayUnderTest>>;
  let tokens: TokenService;

  /** The token a login answers `password_change_required` with. */
  const passwordChangeToken = async (): Promise<string> => {
    answerPasswordStep(gateway.services, USER, { passwordChangeRequired: true });
    const login = await gateway.api.post('/v1/auth/login', { email: USER.email, password: CHANGE.currentPassword });
    expect(login.body).toMatchObject({ status: 'password_change_required', expiresIn: 300 });
    return String(login.body.passwordChangeToken);
  };
  const change = (token: string, body: Record<string, unknown> = CHANGE) =>
    gateway.api.post('/v1/me/password', body, { token, headers: CLIENT });

  beforeEach(async () => {
    const key = signingKeyPem();
    gateway = await startGatewayUnderTest({
      JWT_PRIVATE_KEY: key,
      TRUST_PROXY: 'on',
      LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
    });
    tokens = new TokenService(gatewayConfig({ JWT_PRIVATE_KEY: key }));
    gateway.services
      .answer(MfaRpc.getStatus, INACTIVE)
      .answer(IdentityRpc.changePassword, { changedAt: '2025-06-02T10:00:00.000Z' });
  });
  afterEach(() => gateway.close());

  it('takes the password-change token of the login, with where the request came from', async () => {
    const token = await passwordChangeToken();

    expect(await change(token)).toMatchObject({ status: 200, body: { changedAt: '2025-06-02T10:00:00.000Z' } });
    expect(gateway.services.requestsTo(IdentityRpc.changePassword)).toEqual([
      { userId: USER.id, ...CHANGE, context: { ip: '203.0.113.7', userAgent: 'spec-agent/1.0' } },
    ]);
  });

  it('refuses the password-change token anywhere else', async () => {
    const token = await passwordChangeToken();

    for (const response of [
      await gateway.api.get('/v1/me', { token }),
      await gateway.api.post('/v1/me/mfa/enrollment', undefined, { token }),
      await gateway.api.get('/v1/admin/policies', { token }),
    ]) {
      expect(response).toMatchObject({
        status: 403,
        body: { error: 'forbidden', message: 'this token may only be used to change the password' },
      });
    }
    expect(await gateway.api.post('/v1/auth/login/mfa', { mfaToken: token, code: '123456' })).toMatchObject({
      status: 401,
      body: { error: 'invalid_mfa_token' },
    });
  });

  it('refuses an enrolment-only token', async () => {
    const token = tokens.issue('enrollment', { sub: USER.id, org: USER.orgId, roles: USER.roles, amr: ['pwd'] }).token;

    expect(await change(token)).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    expect(gateway.services.requestsTo(IdentityRpc.changePassword)).toEqual([]);
  });

  describe('with MFA active', () => {
    beforeEach(() => {
      gateway.services.answer(MfaRpc.getStatus, ACTIVE);
    });

    it('needs a code: without one, 401 invalid_code and the password is not changed', async () => {
      const response = await change(await passwordChangeToken());

      expect(response).toMatchObject({
        status: 401,
        body: { error: 'invalid_code', message: 'a current code from the authenticator app is required' },
      });
      expect(gateway.services.requestsTo(IdentityRpc.changePassword)).toEqual([]);
    });

    it('has mfa check the code first: a wrong one is refused and identity never asked', async () => {
      gateway.services.refuse(MfaRpc.verifyChallenge, new DomainError('invalid_code', 'the code is not valid'));

      const response = await change(await passwordChangeToken(), { ...CHANGE, code: '000000' });

      expect(response).toMatchObject({ status: 401, body: { error: 'invalid_code' } });
      expect(gateway.services.requestsTo(IdentityRpc.changePassword)).toEqual([]);
    });

    it('changes the password after mfa accepted the code, as a challenge of its own', async () => {
      gateway.services.answer(MfaRpc.verifyChallenge, { verified: true });

      expect(await change(await passwordChangeToken(), { ...CHANGE, code: '123456' })).toMatchObject({ status: 200 });

      const [challenge] = gateway.services.requestsTo(MfaRpc.verifyChallenge);
      expect(challenge).toEqual({
        userId: USER.id,
        code: '123456',
        context: { ip: '203.0.113.7', userAgent: 'spec-agent/1.0' },
        challengeId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
      expect(gateway.services.patternsCalled().slice(-2)).toEqual([
        MfaRpc.verifyChallenge.pattern,
        IdentityRpc.changePassword.pattern,
      ]);
    });

    it('passes mfa_locked on', async () => {
      gateway.services.refuse(
        MfaRpc.verifyChallenge,
        new DomainError('mfa_locked', 'too many wrong codes', { retryAfterSeconds: 60 }),
      );

      const response = await change(await passwordChangeToken(), { ...CHANGE, code: '123456' });

      expect(response).toMatchObject({ status: 423, body: { error: 'mfa_locked' } });
      expect(response.headers.get('retry-after')).toBe('60');
    });
  });

  it('ignores a code when MFA is not active', async () => {
    expect(await change(await passwordChangeToken(), { ...CHANGE, code: '123456' })).toMatchObject({ status: 200 });
    expect(gateway.services.requestsTo(MfaRpc.verifyChallenge)).toEqual([]);
  });

  it.each([
    ['password_too_common', 400],
    ['weak_password', 400],
    ['invalid_credentials', 401],
    ['too_many_attempts', 429],
    ['account_locked', 423],
  ] as const)("answers identity's %s with %i", async (code, status) => {
    gateway.services.refuse(IdentityRpc.changePassword, new DomainError(code, 'refused'));

    expect(await change(await passwordChangeToken())).toMatchObject({ status, body: { error: code } });
  });

  it('answers 400 validation_failed for a code that is not 6 to 8 digits', async () => {
    expect(await change(await passwordChangeToken(), { ...CHANGE, code: '12ab' })).toMatchObject({
      status: 400,
      body: { error: 'validation_failed' },
    });
  });
});
