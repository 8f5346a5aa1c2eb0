import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainError, MfaRpc, type MfaStatusView } from '#contracts';
import { TokenService } from '../auth/token.service.js';
import { gatewayConfig, signingKeyPem, startGatewayUnderTest, USER } from '../gateway.testing.js';

const ACTIVE: MfaStatusView = { status: 'active', activatedAt: '2025-06-02T10:00:00.000Z', recoveryCodesRemaining: 3 };
const CODES = Array.from({ length: 10 }, (_, index) => `0123-4567-89ab-cd${'ef01234567'[index]}${'0123456789'[index]}`);
const CLIENT = { 'x-forwarded-for': '203.0.113.7', 'user-agent': 'spec-agent/1.0' };

/** The recovery codes of `/v1/me/mfa` in the real gateway, the mfa service scripted. */
describe('/v1/me/mfa recovery codes', () => {
  let gateway: Awaited<ReturnType<typeof startGatewayUnderTest>>;
  let tokens: TokenService;
  const accessToken = () =>
    tokens.issue('access', {
      sub: USER.id,
      org: USER.orgId,
      roles: USER.roles,
      amr: ['pwd', 'otp'],
      sid: 'session-1',
      authTime: Math.floor(Date.now() / 1000),
    }).token;

  beforeEach(async () => {
    const key = signingKeyPem();
    gateway = await startGatewayUnderTest({ JWT_PRIVATE_KEY: key, TRUST_PROXY: 'on' });
    tokens = new TokenService(gatewayConfig({ JWT_PRIVATE_KEY: key }));
    gateway.services.answer(MfaRpc.getStatus, ACTIVE);
  });
  afterEach(() => gateway.close());

  it('GET /v1/me/mfa answers the status with the recovery codes left, also to an enrolment-only token', async () => {
    const enrolOnly = tokens.issue('enrollment', { sub: USER.id, org: USER.orgId, roles: USER.roles, amr: ['pwd'] });
    for (const token of [accessToken(), enrolOnly.token]) {
      expect(await gateway.api.get('/v1/me/mfa', { token })).toMatchObject({
        status: 200,
        body: { status: 'active', activatedAt: ACTIVE.activatedAt, recoveryCodesRemaining: 3 },
      });
    }
    expect(gateway.services.requestsTo(MfaRpc.getStatus)).toEqual([{ userId: USER.id }, { userId: USER.id }]);
  });

  it('POST /v1/me/mfa/activation answers the first ten recovery codes as a list', async () => {
    gateway.services.answer(MfaRpc.activate, {
      status: 'active',
      activatedAt: '2025-06-02T10:00:00.000Z',
      recoveryCodesRemaining: 10,
      recoveryCodes: CODES.join(' '),
    });

    const activation = await gateway.api.post(
      '/v1/me/mfa/activation',
      { code1: '123456', code2: '654321' },
      { token: accessToken() },
    );

    expect(activation).toMatchObject({ status: 200 });
    expect(activation.body).toEqual({
      status: 'active',
      activatedAt: '2025-06-02T10:00:00.000Z',
      recoveryCodesRemaining: 10,
      recoveryCodes: CODES,
    });
  });

  it('POST /v1/me/mfa/recovery-codes sends the code and where it came from, and answers the new set', async () => {
    gateway.services.answer(MfaRpc.regenerateRecoveryCodes, {
      recoveryCodes: CODES.join(' '),
      generatedAt: '2025-06-02T10:00:00.000Z',
    });

    const answer = await gateway.api.post(
      '/v1/me/mfa/recovery-codes',
      { code: '123456' },
      {
        token: accessToken(),
        headers: CLIENT,
      },
    );

    expect(answer).toMatchObject({
      status: 200,
      body: { recoveryCodes: CODES, generatedAt: '2025-06-02T10:00:00.000Z' },
    });
    expect(gateway.services.requestsTo(MfaRpc.regenerateRecoveryCodes)).toEqual([
      { userId: USER.id, code: '123456', context: { ip: '203.0.113.7', userAgent: 'spec-agent/1.0' } },
    ]);
  });

  it.each([
    ['invalid_code', 401],
    ['mfa_locked', 423],
    ['mfa_not_active', 409],
  ] as const)('POST /v1/me/mfa/recovery-codes passes %s through as %i', async (code, status) => {
    gateway.services.refuse(MfaRpc.regenerateRecoveryCodes, new DomainError(code, 'refused'));

    const answer = await gateway.api.post('/v1/me/mfa/recovery-codes', { code: '123456' }, { token: accessToken() });

    expect(answer).toMatchObject({ status, body: { error: code } });
  });

  it.each([[{}], [{ code: '12345' }], [{ code: 123456 }]])(
    'POST /v1/me/mfa/recovery-codes answers %j with 400 validation_failed, asking mfa nothing',
    async (body) => {
      const answer = await gateway.api.post('/v1/me/mfa/recovery-codes', body, { token: accessToken() });

      expect(answer).toMatchObject({ status: 400, body: { error: 'validation_failed' } });
      expect(gateway.services.requestsTo(MfaRpc.regenerateRecoveryCodes)).toEqual([]);
    },
  );

  it('POST /v1/me/mfa/deactivation takes a recovery code instead of a code (phone lost), as typed', async () => {
    gateway.services.answer(MfaRpc.deactivate, { status: 'inactive', activatedAt: null, recoveryCodesRemaining: null });

    const answer = await gateway.api.post(
      '/v1/me/mfa/deactivation',
      { recoveryCode: '0123 4567 89AB CDE0', confirm: true },
      { token: accessToken(), headers: CLIENT },
    );

    expect(answer).toMatchObject({ status: 200, body: { status: 'inactive' } });
    expect(gateway.services.requestsTo(MfaRpc.deactivate)).toEqual([
      {
        userId: USER.id,
        recoveryCode: '0123456789ABCDE0',
        confirm: true,
        context: { ip: '203.0.113.7', userAgent: 'spec-agent/1.0' },
      },
    ]);
  });

  it.each([
    ['both a code and a recovery code', { code: '123456', recoveryCode: '0123-4567-89ab-cde0', confirm: true }],
    ['neither', { confirm: true }],
    ['a malformed recovery code', { recoveryCode: '0123-4567', confirm: true }],
  ])('POST /v1/me/mfa/deactivation answers %s with 400 validation_failed', async (_case, body) => {
    const answer = await gateway.api.post('/v1/me/mfa/deactivation', body, { token: accessToken() });

    expect(answer).toMatchObject({ status: 400, body: { error: 'validation_failed' } });
    expect(gateway.services.requestsTo(MfaRpc.deactivate)).toEqual([]);
  });

  it('POST /v1/me/mfa/recovery-codes is refused to an enrolment-only token', async () => {
    const enrolOnly = tokens.issue('enrollment', { sub: USER.id, org: USER.orgId, roles: USER.roles, amr: ['pwd'] });

    const answer = await gateway.api.post('/v1/me/mfa/recovery-codes', { code: '123456' }, { token: enrolOnly.token });

    expect(answer).toMatchObject({ status: 403, body: { error: 'forbidden' } });
  });
});
