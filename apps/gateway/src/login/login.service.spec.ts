import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  DomainError,
  IdentityRpc,
  MfaRpc,
  PolicyRpc,
  refreshTokenHashOf,
  SessionRpc,
  type LoginDecision,
  type MfaStatusView,
} from '#contracts';
import { FakeServices } from '#testing';
import { TokenService } from '../auth/token.service.js';
import { answerPasswordStep, gatewayConfig, USER, verifiedClaims } from '../gateway.testing.js';
import { LoginService, type LoginOutcome } from './login.service.js';

const PASSWORD = 'correct horse battery staple';
const CONTEXT = { ip: '203.0.113.7', userAgent: 'spec-agent/1.0' };
const CODE = '123456';

const INACTIVE: MfaStatusView = { status: 'inactive', activatedAt: null, recoveryCodesRemaining: null };
const ACTIVE: MfaStatusView = { status: 'active', activatedAt: '2025-06-02T10:00:00.000Z', recoveryCodesRemaining: 10 };
const LET_IN: LoginDecision = { allowed: true, mfaRequired: false, enrollmentRequired: false };
const MUST_ENROL: LoginDecision = { allowed: true, mfaRequired: true, enrollmentRequired: true };
const KEEP_OUT: LoginDecision = { allowed: false, reason: 'ip_not_allowed' };

const AUTHENTICATED = {
  status: 'authenticated',
  accessToken: expect.any(String),
  tokenType: 'Bearer',
  expiresIn: 300,
  refreshToken: expect.stringMatching(/^[\w-]+\.[\w-]{43}$/),
  refreshExpiresIn: expect.any(Number),
};
const ADMIN = { ...USER, roles: ['admin'] };
const PRINCIPAL = { sub: USER.id, org: USER.orgId, roles: USER.roles };
const tokenOf = (outcome: LoginOutcome) => {
  switch (outcome.status) {
    case 'mfa_required':
      return outcome.mfaToken;
    case 'password_change_required':
      return outcome.passwordChangeToken;
    default:
      return outcome.accessToken;
  }
};

describe('LoginService', () => {
  let services: FakeServices;
  let tokens: TokenService;
  let login: LoginService;

  beforeEach(() => {
    services = answerPasswordStep(new FakeServices())
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
    it('refuses wrong credentials as identity answers them, asking nothing after', async () => {
      services.refuse(IdentityRpc.verifyCredentials, new DomainError('invalid_credentials', 'wrong email or password'));

      await expect(login.withPassword(USER.email, 'wrong', CONTEXT)).rejects.toMatchObject({
        code: 'invalid_credentials',
      });
      expect(services.patternsCalled()).toEqual([
        IdentityRpc.findLoginOrganisation.pattern,
        PolicyRpc.checkLoginAddress.pattern,
        IdentityRpc.verifyCredentials.pattern,
      ]);
      expect(services.requestsTo(IdentityRpc.verifyCredentials)).toEqual([
        { email: USER.email, password: 'wrong', addressAllowed: true, context: CONTEXT },
      ]);
    });

    it("checks the address against the allow-list of the address's organisation before the password", async () => {
      services.answer(PolicyRpc.checkLoginAddress, { allowed: false });
      // Identity answers a refused address ip_not_allowed without looking at the password, and counts it.
      services.answer(IdentityRpc.verifyCredentials, ({ addressAllowed }) => {
        if (!addressAllowed) throw new DomainError('ip_not_allowed', 'logins from this address are not allowed');
        return { ...USER, passwordChangeRequired: false };
      });

      await expect(login.withPassword(USER.email, PASSWORD, CONTEXT)).rejects.toMatchObject({
        code: 'ip_not_allowed',
      });
      expect(services.requestsTo(IdentityRpc.findLoginOrganisation)).toEqual([{ email: USER.email }]);
      expect(services.requestsTo(PolicyRpc.checkLoginAddress)).toEqual([{ orgId: USER.orgId, ip: CONTEXT.ip }]);
      expect(services.requestsTo(IdentityRpc.verifyCredentials)[0]).toMatchObject({ addressAllowed: false });
      expect(services.patternsCalled()).not.toContain(MfaRpc.getStatus.pattern);
    });

    it('asks no policy when identity names no organisation (an installation not bootstrapped yet)', async () => {
      services.answer(IdentityRpc.findLoginOrganisation, { orgId: null });
      services.refuse(IdentityRpc.verifyCredentials, new DomainError('invalid_credentials', 'wrong email or password'));

      await expect(login.withPassword('nobody@example.com', PASSWORD, CONTEXT)).rejects.toMatchObject({
        code: 'invalid_credentials',
      });
      expect(services.requestsTo(PolicyRpc.checkLoginAddress)).toEqual([]);
      expect(services.requestsTo(IdentityRpc.verifyCredentials)[0]).toMatchObject({ addressAllowed: true });
    });

    it.each([
      ['too_many_attempts', { retryAfterSeconds: 4 }],
      ['account_locked', undefined],
    ] as const)('passes %s through as identity answers it', async (code, details) => {
      services.refuse(IdentityRpc.verifyCredentials, new DomainError(code, 'refused', details));

      await expect(login.withPassword(USER.email, PASSWORD, CONTEXT)).rejects.toMatchObject({ code, details });
    });

    it('asks for a new password first when an admin set it: a token for the password change only', async () => {
      services.answer(MfaRpc.getStatus, ACTIVE);
      answerPasswordStep(services, USER, { passwordChangeRequired: true });

      const outcome = await login.withPassword(USER.email, PASSWORD, CONTEXT);

      expect(outcome).toEqual({
        status: 'password_change_required',
        passwordChangeToken: expect.any(String),
        expiresIn: 300,
      });
      expect(verifiedClaims(tokens, tokenOf(outcome), 'password-change')).toMatchObject({ ...PRINCIPAL, amr: ['pwd'] });
      expect(() => verifiedClaims(tokens, tokenOf(outcome), 'access')).toThrow(/audience/);
      expect(services.patternsCalled()).not.toContain(MfaRpc.getStatus.pattern);
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

    it('starts a session in identity: its id and sign-in instant are the access token’s sid and auth_time', async () => {
      vi.useFakeTimers({ toFake: ['Date'], now: new Date('2031-05-06T07:08:09.250Z') });

      const outcome = await login.withPassword(USER.email, PASSWORD, CONTEXT);

      const claims = verifiedClaims(tokens, tokenOf(outcome), 'access');
      expect(claims).toMatchObject({ sid: expect.any(String), auth_time: Date.parse('2031-05-06T07:08:09Z') / 1000 });
      expect(outcome).toMatchObject({ refreshToken: expect.stringMatching(new RegExp(`^${claims['sid']}\\.`)) });
      // Identity is sent the session id and the refresh token's hash, never the token.
      const { refreshToken } = outcome as { refreshToken: string };
      expect(services.requestsTo(SessionRpc.startSession)).toEqual([
        {
          sessionId: claims['sid'],
          refreshTokenHash: refreshTokenHashOf(refreshToken),
          userId: USER.id,
          amr: ['pwd'],
          authenticatedAt: '2031-05-06T07:08:09.250Z',
          context: CONTEXT,
        },
      ]);
      expect(outcome).toMatchObject({ refreshExpiresIn: 24 * 3600 });
    });

    it('is refused as identity refuses the session (a sign-in that raced a password or MFA change)', async () => {
      services.refuse(SessionRpc.startSession, new DomainError('invalid_credentials', 'sign in again'));

      await expect(login.withPassword(USER.email, PASSWORD, CONTEXT)).rejects.toMatchObject({
        code: 'invalid_credentials',
      });
    });

    it('lets an admin without MFA in only far enough to enrol, whatever the policy (step-up)', async () => {
      answerPasswordStep(services, ADMIN);

      const outcome = await login.withPassword(ADMIN.email, PASSWORD, CONTEXT);

      expect(outcome).toMatchObject({ status: 'mfa_enrollment_required', tokenType: 'Bearer' });
      expect(verifiedClaims(tokens, tokenOf(outcome), 'enrollment')).toMatchObject({ roles: ['admin'], amr: ['pwd'] });
      expect(services.requestsTo(SessionRpc.startSession)).toEqual([]);
    });

    it('asks an admin with MFA for a code, like anyone', async () => {
      answerPasswordStep(services, ADMIN);
      services.answer(MfaRpc.getStatus, ACTIVE);

      expect(await login.withPassword(ADMIN.email, PASSWORD, CONTEXT)).toMatchObject({ status: 'mfa_required' });
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
      // The allow-list was asked before the password; the code step asks policy again before any session.
      expect(services.patternsCalled()).toEqual([
        IdentityRpc.findLoginOrganisation.pattern,
        PolicyRpc.checkLoginAddress.pattern,
        IdentityRpc.verifyCredentials.pattern,
        MfaRpc.getStatus.pattern,
      ]);
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

    it('refuses an address the policy keeps out after the password, without MFA', async () => {
      services.answer(MfaRpc.getStatus, INACTIVE).answer(PolicyRpc.evaluateLogin, KEEP_OUT);

      await expect(login.withPassword(USER.email, PASSWORD, CONTEXT)).rejects.toMatchObject({
        code: 'ip_not_allowed',
      });
    });

    it.each([
      IdentityRpc.findLoginOrganisation,
      PolicyRpc.checkLoginAddress,
      IdentityRpc.verifyCredentials,
      MfaRpc.getStatus,
      PolicyRpc.evaluateLogin,
    ])('is service_unavailable when $pattern goes unanswered', async (rpc) => {
      services.unreachable(rpc);

      await expect(login.withPassword(USER.email, PASSWORD, CONTEXT)).rejects.toMatchObject({
        code: 'service_unavailable',
      });
    });
  });

  describe('with a code', () => {
    it('starts the session from when the password step began, to the millisecond', async () => {
      vi.useFakeTimers({ toFake: ['Date'], now: new Date('2031-05-06T07:08:09.250Z') });
      const mfaToken = await mfaTokenOfPasswordStep();
      vi.setSystemTime(new Date('2031-05-06T07:08:20.000Z'));

      await login.withCode(mfaToken, CODE, CONTEXT);

      expect(services.requestsTo(SessionRpc.startSession)[0]).toMatchObject({
        authenticatedAt: '2031-05-06T07:08:09.250Z',
      });
    });

    it('accepts a right code: an access token with amr pwd and otp for the user of the mfa token', async () => {
      const mfaToken = await mfaTokenOfPasswordStep();

      const outcome = await login.withCode(mfaToken, CODE, CONTEXT);

      expect(outcome).toEqual(AUTHENTICATED);
      expect(verifiedClaims(tokens, tokenOf(outcome), 'access')).toMatchObject({ ...PRINCIPAL, amr: ['pwd', 'otp'] });
      // The session's sign-in began at the password step (the mfa token's auth_time), not at the code.
      expect(services.requestsTo(SessionRpc.startSession)).toEqual([
        {
          sessionId: expect.any(String),
          refreshTokenHash: expect.any(String),
          userId: USER.id,
          amr: ['pwd', 'otp'],
          authenticatedAt: new Date(Number(verifiedClaims(tokens, mfaToken, 'mfa')['auth_time']) * 1000).toISOString(),
          context: CONTEXT,
        },
      ]);
      expect(services.requestsTo(MfaRpc.verifyChallenge)).toEqual([
        { userId: USER.id, code: CODE, context: CONTEXT, challengeId: verifiedClaims(tokens, mfaToken, 'mfa').jti },
      ]);
    });

    it('makes the mfa token good for one code: used again after a success, even with the next step’s code, it is refused', async () => {
      // mfa as it answers: one successful verification per challenge id (the token's jti).
      const used = new Set<string>();
      services.answer(MfaRpc.verifyChallenge, ({ challengeId }) => {
        if (used.has(challengeId)) {
          throw new DomainError('invalid_mfa_token', 'the MFA token has already been used; log in again');
        }
        used.add(challengeId);
        return { verified: true } as const;
      });
      const mfaToken = await mfaTokenOfPasswordStep();
      const nextStepsCode = '654321';

      expect(await login.withCode(mfaToken, CODE, CONTEXT)).toEqual(AUTHENTICATED);
      await expect(login.withCode(mfaToken, nextStepsCode, CONTEXT)).rejects.toMatchObject({
        code: 'invalid_mfa_token',
      });

      const [first, second] = services.requestsTo(MfaRpc.verifyChallenge);
      expect(first?.challengeId).toBe(verifiedClaims(tokens, mfaToken, 'mfa').jti);
      expect(second?.challengeId).toBe(first?.challengeId);
      // A new password step gives a new token, good for that code.
      expect(await login.withCode(await mfaTokenOfPasswordStep(), nextStepsCode, CONTEXT)).toEqual(AUTHENTICATED);
    });

    it('does not use the mfa token up with a wrong code: it stays good for the right one', async () => {
      const mfaToken = await mfaTokenOfPasswordStep();
      services.refuse(MfaRpc.verifyChallenge, new DomainError('invalid_code', 'the code is not valid'));
      await expect(login.withCode(mfaToken, '000000', CONTEXT)).rejects.toMatchObject({ code: 'invalid_code' });
      services.answer(MfaRpc.verifyChallenge, { verified: true });

      expect(await login.withCode(mfaToken, CODE, CONTEXT)).toEqual(AUTHENTICATED);
      const [wrong, right] = services.requestsTo(MfaRpc.verifyChallenge);
      expect(right?.challengeId).toBe(wrong?.challengeId);
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

    it.each([
      ['a timed lock', { lockedUntil: '2025-06-02T10:05:00.000Z', retryAfterSeconds: 240, requiresAdminReset: false }],
      ['a lock until an admin reset', { lockedUntil: null, requiresAdminReset: true }],
    ])('passes mfa_locked through with its details: %s', async (_, details) => {
      const mfaToken = await mfaTokenOfPasswordStep();
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

  describe('with a recovery code', () => {
    /** As the HTTP edge hands it over: canonical (the body's schema normalised what was typed). */
    const RECOVERY_CODE = 'ABCDEFGHJKMNPQRS';

    beforeEach(() => {
      services.answer(MfaRpc.verifyRecoveryCode, { verified: true, recoveryCodesRemaining: 7 });
    });

    it('accepts it in place of a code: a session with amr pwd and rec, and how many codes are left', async () => {
      const mfaToken = await mfaTokenOfPasswordStep();

      const outcome = await login.withRecoveryCode(mfaToken, RECOVERY_CODE, CONTEXT);

      expect(outcome).toEqual({ ...AUTHENTICATED, recoveryCodesRemaining: 7 });
      expect(verifiedClaims(tokens, tokenOf(outcome), 'access')).toMatchObject({ ...PRINCIPAL, amr: ['pwd', 'rec'] });
      expect(services.requestsTo(MfaRpc.verifyRecoveryCode)).toEqual([
        {
          userId: USER.id,
          recoveryCode: RECOVERY_CODE,
          context: CONTEXT,
          challengeId: verifiedClaims(tokens, mfaToken, 'mfa').jti,
        },
      ]);
      expect(services.requestsTo(MfaRpc.verifyChallenge)).toEqual([]);
      expect(services.requestsTo(SessionRpc.startSession)).toEqual([
        {
          sessionId: expect.any(String),
          refreshTokenHash: expect.any(String),
          userId: USER.id,
          amr: ['pwd', 'rec'],
          authenticatedAt: new Date(Number(verifiedClaims(tokens, mfaToken, 'mfa')['auth_time']) * 1000).toISOString(),
          context: CONTEXT,
        },
      ]);
    });

    it.each([
      ['invalid_code', undefined],
      ['invalid_mfa_token', undefined],
      ['mfa_locked', { lockedUntil: '2025-06-02T10:05:00.000Z', retryAfterSeconds: 240, requiresAdminReset: false }],
    ] as const)('passes %s through, starting no session', async (code, details) => {
      const mfaToken = await mfaTokenOfPasswordStep();
      services.refuse(MfaRpc.verifyRecoveryCode, new DomainError(code, 'refused', details));

      await expect(login.withRecoveryCode(mfaToken, RECOVERY_CODE, CONTEXT)).rejects.toMatchObject({ code, details });
      expect(services.requestsTo(SessionRpc.startSession)).toEqual([]);
    });

    it('checks the address again first: ip_not_allowed, and the recovery code is not spent', async () => {
      const mfaToken = await mfaTokenOfPasswordStep();
      services.answer(PolicyRpc.evaluateLogin, KEEP_OUT);

      await expect(login.withRecoveryCode(mfaToken, RECOVERY_CODE, CONTEXT)).rejects.toMatchObject({
        code: 'ip_not_allowed',
      });
      expect(services.requestsTo(MfaRpc.verifyRecoveryCode)).toEqual([]);
    });

    it('refuses a token that is not an mfa token, without calling any service', async () => {
      const accessToken = tokens.issue('access', { ...PRINCIPAL, amr: ['pwd'] }).token;

      await expect(login.withRecoveryCode(accessToken, RECOVERY_CODE, CONTEXT)).rejects.toMatchObject({
        code: 'invalid_mfa_token',
      });
      expect(services.patternsCalled()).toEqual([]);
    });
  });
});
