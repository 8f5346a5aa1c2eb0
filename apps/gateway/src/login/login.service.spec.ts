import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DomainError, IdentityRpc, MfaRpc, PolicyRpc, type LoginDecision, type MfaStatusView } from '#contracts';
import { FakeServices } from '#testing';
import { TokenService } from '../auth/token.service.js';
import { gatewayConfig, USER, verifiedClaims } from '../gateway.testing.js';
import { LoginService, type LoginOutcome } from './login.service.js';

const PASSWORD = 'correct horse battery staple';
const CONTEXT = { ip: '203.0.113.7', userAgent: 'spec-agent/1.0' };
const CODE = '123456';

const INACTIVE: MfaStatusView = { status: 'inactive', activatedAt: null };
const ACTIVE: MfaStatusView = { status: 'active', activatedAt: '2025-06-02T10:00:00.000Z' };
const LET_IN: LoginDecision = { allowed: true, mfaRequired: false, enrollmentRequired: false };
const MUST_ENROL: LoginDecision = { allowed: true, mfaRequired: true, enrollmentRequired: true };
const KEEP_OUT: LoginDecision = { allowed: false, reason: 'ip_not_allowed' };

const AUTHENTICATED = { status: 'authenticated', accessToken: expect.any(String), tokenType: 'Bearer', expiresIn: 900 };
const PRINCIPAL = { sub: USER.id, org: USER.orgId, roles: USER.roles };
const tokenOf = (outcome: LoginOutcome) => (outcome.status === 'mfa_required' ? outcome.mfaToken : outcome.accessToken);

describe('LoginService', () => {
  let services: FakeServices;
  let tokens: TokenService;
  let login: LoginService;

  beforeEach(() => {
    services = new FakeServices()
      .answer(IdentityRpc.verifyCredentials, USER)
      .answer(MfaRpc.getStatus, INACTIVE)
      .answer(PolicyRpc.evaluateLogin, LET_IN)
      .answer(MfaRpc.verifyChallenge, { verified: true });
    tokens = new TokenService(gatewayConfig());
    login = new LoginService(services.client(), tokens);
  });
  afterEach(() => vi.useRealTimers());

  const mfaTokenOfPasswordStep = async () => {
    services.answer(MfaRpc.getStatus, ACTIVE);
    const first = await login.withPassword(USER.email, PASSWORD, CONTEXT);
    if (first.status !== 'mfa_required') throw new Error(`expected mfa_required, got ${first.status}`);
    return first.mfaToken;
  };

  describe('with a password', () => {
    it('refuses wrong credentials as identity answers them, before asking any other service', async () => {
      services.refuse(IdentityRpc.verifyCredentials, new DomainError('invalid_credentials', 'wrong email or password'));

      await expect(login.withPassword(USER.email, 'wrong', CONTEXT)).rejects.toMatchObject({
        code: 'invalid_credentials',
      });
      expect(services.patternsCalled()).toEqual([IdentityRpc.verifyCredentials.pattern]);
      expect(services.requestsTo(IdentityRpc.verifyCredentials)).toEqual([{ email: USER.email, password: 'wrong' }]);
    });

    it('authenticates a user without MFA whom the policy lets in: an access token, amr pwd', async () => {
      const outcome = await login.withPassword(USER.email, PASSWORD, CONTEXT);

      expect(outcome).toEqual(AUTHENTICATED);
      expect(verifiedClaims(tokens, tokenOf(outcome), 'access')).toMatchObject({ ...PRINCIPAL, amr: ['pwd'] });
      expect(services.requestsTo(MfaRpc.getStatus)).toEqual([{ userId: USER.id }]);
      expect(services.requestsTo(PolicyRpc.evaluateLogin)).toEqual([
        { orgId: USER.orgId, roles: USER.roles, ip: CONTEXT.ip, mfaActive: false },
      ]);
    });

    it('counts a set-up not yet activated as no MFA', async () => {
      services.answer(MfaRpc.getStatus, { status: 'pending', activatedAt: null });

      expect(await login.withPassword(USER.email, PASSWORD, CONTEXT)).toMatchObject({ status: 'authenticated' });
      expect(services.requestsTo(PolicyRpc.evaluateLogin)[0]).toMatchObject({ mfaActive: false });
    });

    it('asks for a code when MFA is active: an mfa token (amr pwd) that is no access token', async () => {
      services.answer(MfaRpc.getStatus, ACTIVE);

      const outcome = await login.withPassword(USER.email, PASSWORD, CONTEXT);

      expect(outcome).toEqual({ status: 'mfa_required', mfaToken: expect.any(String), expiresIn: 300 });
      expect(verifiedClaims(tokens, tokenOf(outcome), 'mfa')).toMatchObject({ ...PRINCIPAL, amr: ['pwd'] });
      expect(() => verifiedClaims(tokens, tokenOf(outcome), 'access')).toThrow(/audience/);
      expect(services.requestsTo(PolicyRpc.evaluateLogin)[0]).toMatchObject({ mfaActive: true });
    });

    it('lets a user who must have MFA but has none in only far enough to enrol', async () => {
      services.answer(PolicyRpc.evaluateLogin, MUST_ENROL);

      const outcome = await login.withPassword(USER.email, PASSWORD, CONTEXT);

      expect(outcome).toEqual({
        status: 'mfa_enrollment_required',
        accessToken: expect.any(String),
        tokenType: 'Bearer',
        expiresIn: 900,
      });
      expect(verifiedClaims(tokens, tokenOf(outcome), 'enrollment')).toMatchObject({ ...PRINCIPAL, amr: ['pwd'] });
      expect(() => verifiedClaims(tokens, tokenOf(outcome), 'access')).toThrow(/audience/);
    });

    it.each([
      ['without MFA', INACTIVE],
      ['with MFA active', ACTIVE],
    ])('refuses an address outside the allow-list with ip_not_allowed, %s', async (_, mfa) => {
      services.answer(MfaRpc.getStatus, mfa).answer(PolicyRpc.evaluateLogin, KEEP_OUT);

      await expect(login.withPassword(USER.email, PASSWORD, CONTEXT)).rejects.toMatchObject({
        code: 'ip_not_allowed',
      });
    });

    it.each([IdentityRpc.verifyCredentials, MfaRpc.getStatus, PolicyRpc.evaluateLogin])(
      'is service_unavailable when $pattern goes unanswered',
      async (rpc) => {
        services.unreachable(rpc);

        await expect(login.withPassword(USER.email, PASSWORD, CONTEXT)).rejects.toMatchObject({
          code: 'service_unavailable',
        });
      },
    );
  });

  describe('with a code', () => {
    it('accepts a right code: an access token with amr pwd and otp for the user of the mfa token', async () => {
      const mfaToken = await mfaTokenOfPasswordStep();

      const outcome = await login.withCode(mfaToken, CODE, CONTEXT);

      expect(outcome).toEqual(AUTHENTICATED);
      expect(verifiedClaims(tokens, tokenOf(outcome), 'access')).toMatchObject({ ...PRINCIPAL, amr: ['pwd', 'otp'] });
      expect(services.requestsTo(MfaRpc.verifyChallenge)).toEqual([{ userId: USER.id, code: CODE, context: CONTEXT }]);
    });

    it('checks the address again: ip_not_allowed at the code step, and the code is not spent', async () => {
      const mfaToken = await mfaTokenOfPasswordStep();
      services.answer(PolicyRpc.evaluateLogin, KEEP_OUT);
      const elsewhere = { ...CONTEXT, ip: '2001:db8::9' };

      await expect(login.withCode(mfaToken, CODE, elsewhere)).rejects.toMatchObject({ code: 'ip_not_allowed' });
      expect(services.requestsTo(PolicyRpc.evaluateLogin).at(-1)).toEqual({
        orgId: USER.orgId,
        roles: USER.roles,
        ip: elsewhere.ip,
        mfaActive: true,
      });
      expect(services.requestsTo(MfaRpc.verifyChallenge)).toEqual([]);
    });

    it('passes invalid_code through', async () => {
      const mfaToken = await mfaTokenOfPasswordStep();
      services.refuse(MfaRpc.verifyChallenge, new DomainError('invalid_code', 'the code is not valid'));

      await expect(login.withCode(mfaToken, CODE, CONTEXT)).rejects.toMatchObject({
        code: 'invalid_code',
        message: 'the code is not valid',
      });
    });

    it('passes mfa_locked through with its details', async () => {
      const mfaToken = await mfaTokenOfPasswordStep();
      const details = { lockedUntil: '2025-06-02T10:05:00.000Z', retryAfterSeconds: 240 };
      services.refuse(MfaRpc.verifyChallenge, new DomainError('mfa_locked', 'too many wrong codes', details));

      await expect(login.withCode(mfaToken, CODE, CONTEXT)).rejects.toMatchObject({ code: 'mfa_locked', details });
    });

    it('is service_unavailable when mfa does not answer the code', async () => {
      const mfaToken = await mfaTokenOfPasswordStep();
      services.unreachable(MfaRpc.verifyChallenge);

      await expect(login.withCode(mfaToken, CODE, CONTEXT)).rejects.toMatchObject({ code: 'service_unavailable' });
    });

    const claims = { ...PRINCIPAL, amr: ['pwd'] } as const;
    it.each<[string, () => string]>([
      ['not a token', () => 'not-a-token'],
      ['a token whose signature was altered', () => tokens.issue('mfa', claims).token.slice(0, -4) + 'AAAA'],
      ['an access token', () => tokens.issue('access', claims).token],
      ['an enrollment token', () => tokens.issue('enrollment', claims).token],
      ['an mfa token of another gateway key', () => new TokenService(gatewayConfig()).issue('mfa', claims).token],
    ])('refuses %s as the mfa token, without calling any service', async (_, mfaToken) => {
      await expect(login.withCode(mfaToken(), CODE, CONTEXT)).rejects.toMatchObject({ code: 'invalid_mfa_token' });
      expect(services.patternsCalled()).toEqual([]);
    });

    it('refuses an expired mfa token', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      const mfaToken = await mfaTokenOfPasswordStep();
      vi.setSystemTime(Date.now() + 301_000);

      await expect(login.withCode(mfaToken, CODE, CONTEXT)).rejects.toMatchObject({ code: 'invalid_mfa_token' });
      expect(services.requestsTo(MfaRpc.verifyChallenge)).toEqual([]);
    });
  });
});
