import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MfaRpc, PolicyRpc, type MfaStatusView } from '#contracts';
import { TokenService } from '../auth/token.service.js';
import {
  answerPasswordStep,
  gatewayConfig,
  signingKeyPem,
  startGatewayUnderTest,
  USER,
  verifiedClaims,
} from '../gateway.testing.js';

const ADMIN = { ...USER, roles: ['admin'] };
const ACTIVE: MfaStatusView = { status: 'active', activatedAt: '2025-06-02T10:00:00.000Z', recoveryCodesRemaining: 10 };
const NEW_CODES = Array.from({ length: 10 }, (_, index) => `abcd-efgh-jkmn-pq${'0123456789'[index]}s`);

/** `POST /v1/auth/login/mfa` with `{mfaToken, recoveryCode}` in the real gateway, the services scripted. */
describe('POST /v1/auth/login/mfa with a recovery code', () => {
  let gateway: Awaited<ReturnType<typeof startGatewayUnderTest>>;
  let tokens: TokenService;

  const mfaToken = async (): Promise<string> => {
    const login = await gateway.api.post('/v1/auth/login', { email: ADMIN.email, password: 'a long enough password' });
    expect(login.body).toMatchObject({ status: 'mfa_required' });
    return String(login.body.mfaToken);
  };

  beforeEach(async () => {
    const key = signingKeyPem();
    gateway = await startGatewayUnderTest({ JWT_PRIVATE_KEY: key, LOGIN_RATE_LIMIT_PER_MINUTE: '1000' });
    tokens = new TokenService(gatewayConfig({ JWT_PRIVATE_KEY: key }));
    answerPasswordStep(gateway.services, ADMIN)
      .answer(MfaRpc.getStatus, ACTIVE)
      .answer(PolicyRpc.evaluateLogin, { allowed: true, mfaRequired: false, enrollmentRequired: false })
      .answer(MfaRpc.verifyRecoveryCode, { verified: true, recoveryCodesRemaining: 9 })
      .answer(MfaRpc.regenerateRecoveryCodes, {
        recoveryCodes: NEW_CODES.join(' '),
        generatedAt: '2025-06-02T10:00:00.000Z',
      });
  });
  afterEach(() => gateway.close());

  it('takes the code as a person types it, hands mfa its canonical form, and says how many are left', async () => {
    const token = await mfaToken();

    const signedIn = await gateway.api.post('/v1/auth/login/mfa', {
      mfaToken: token,
      recoveryCode: ' abcd EFGH-jkmn pqOs ',
    });

    expect(signedIn).toMatchObject({
      status: 200,
      body: { status: 'authenticated', tokenType: 'Bearer', recoveryCodesRemaining: 9 },
    });
    expect(gateway.services.requestsTo(MfaRpc.verifyRecoveryCode)).toEqual([
      {
        userId: ADMIN.id,
        recoveryCode: 'ABCDEFGHJKMNPQ0S',
        context: expect.objectContaining({ ip: expect.any(String) }),
        challengeId: verifiedClaims(tokens, token, 'mfa').jti,
      },
    ]);
    expect(gateway.services.requestsTo(MfaRpc.verifyChallenge)).toEqual([]);
    expect(verifiedClaims(tokens, String(signedIn.body.accessToken), 'access')).toMatchObject({
      amr: ['pwd', 'rec'],
    });
  });

  it.each([
    ['both a code and a recovery code', { code: '123456', recoveryCode: 'abcd-efgh-jkmn-pqrs' }],
    ['neither', {}],
    ['a recovery code too short', { recoveryCode: 'abcd-efgh-jkmn' }],
    ['a recovery code with a letter outside the alphabet', { recoveryCode: 'abcd-efgh-jkmn-pqru' }],
    ['a recovery code that is no string', { recoveryCode: 1234 }],
  ])('answers %s with 400 validation_failed in the documented shape, asking mfa nothing', async (_case, second) => {
    const response = await gateway.api.post('/v1/auth/login/mfa', { mfaToken: await mfaToken(), ...second });

    expect(response).toMatchObject({ status: 400, body: { error: 'validation_failed', message: expect.any(String) } });
    expect(Object.keys(response.body).sort()).toEqual(['error', 'message']);
    if ('recoveryCode' in second) expect(response.body.message).not.toContain(String(second.recoveryCode));
    expect(gateway.services.requestsTo(MfaRpc.verifyRecoveryCode)).toEqual([]);
    expect(gateway.services.requestsTo(MfaRpc.verifyChallenge)).toEqual([]);
  });

  it("lets the session reach the user's own MFA settings, but not administration, which needs a code", async () => {
    const signedIn = await gateway.api.post('/v1/auth/login/mfa', {
      mfaToken: await mfaToken(),
      recoveryCode: 'abcd-efgh-jkmn-pqrs',
    });
    const token = String(signedIn.body.accessToken);

    expect(await gateway.api.get('/v1/me/mfa', { token })).toMatchObject({
      status: 200,
      body: { status: 'active', recoveryCodesRemaining: 10 },
    });
    expect(await gateway.api.post('/v1/me/mfa/recovery-codes', { code: '123456' }, { token })).toMatchObject({
      status: 200,
      body: { recoveryCodes: NEW_CODES },
    });
    expect(await gateway.api.get('/v1/admin/policies', { token })).toMatchObject({
      status: 403,
      body: { error: 'mfa_required_for_admin' },
    });
  });
});
