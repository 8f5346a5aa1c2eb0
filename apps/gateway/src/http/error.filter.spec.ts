import { Controller, ForbiddenException, Get, Param, ParseIntPipe, Query } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError, ERROR_CODES, IdentityRpc, MfaRpc, PolicyRpc, type ErrorCode } from '#contracts';
import { Public } from '../auth/auth.decorators.js';
import {
  answerPasswordStep,
  startGatewayUnderTest,
  startGuardedApp,
  USER,
  type HttpUnderTest,
} from '../gateway.testing.js';

/** DESIGN.md's REST contract, status by status, with the internal codes. */
const CODES_BY_STATUS: Record<number, ErrorCode[]> = {
  400: [
    'validation_failed',
    'invalid_payload',
    'weak_password',
    'password_too_common',
    'invalid_codes',
    'confirmation_required',
  ],
  401: ['invalid_credentials', 'invalid_mfa_token', 'invalid_token', 'invalid_refresh_token', 'invalid_code'],
  403: ['ip_not_allowed', 'forbidden', 'mfa_required_for_admin', 'reauthentication_required'],
  404: ['not_found'],
  409: ['mfa_already_active', 'mfa_not_active', 'no_pending_enrollment', 'email_taken'],
  413: ['payload_too_large'],
  423: ['mfa_locked', 'account_locked'],
  429: ['too_many_attempts'],
  500: ['internal_error'],
  503: ['service_unavailable'],
};
const EXPECTED: [ErrorCode, number][] = Object.entries(CODES_BY_STATUS).flatMap(([status, codes]) =>
  codes.map((code): [ErrorCode, number] => [code, Number(status)]),
);
const statusOf = (code: ErrorCode) => EXPECTED.find(([expected]) => expected === code)?.[1];

const SECRET = 'hunter2-db-password';

@Public()
@Controller('fail')
class FailingController {
  @Get('domain/:code')
  domain(@Param('code') code: ErrorCode, @Query('retryAfter') retryAfter?: string) {
    const details = retryAfter
      ? { lockedUntil: '2025-06-02T10:05:00.000Z', retryAfterSeconds: Number(retryAfter) }
      : undefined;
    throw new DomainError(code, `refused with ${code}`, details);
  }

  @Get('unexpected')
  unexpected() {
    throw new Error(`connect to postgres://admin:${SECRET}@db failed`);
  }

  @Get('thrown-string')
  thrownString() {
    throw `password ${SECRET}`;
  }

  @Get('forbidden')
  forbidden() {
    throw new ForbiddenException('not for you');
  }

  @Get('number/:n')
  number(@Param('n', ParseIntPipe) n: number) {
    return { n };
  }
}

describe('ErrorFilter', () => {
  describe('domain errors and unexpected ones', () => {
    let app: HttpUnderTest;
    beforeAll(async () => {
      app = await startGuardedApp([FailingController]);
    });
    afterAll(() => app.close());

    it('has a status for every error code', () => {
      expect(EXPECTED.map(([code]) => code).sort()).toEqual([...ERROR_CODES].sort());
    });

    it.each(EXPECTED)('answers %s with %i and {error, message} only', async (code, status) => {
      const response = await app.api.get(`/fail/domain/${code}`);

      expect(response.status).toBe(status);
      expect(response.body).toEqual({ error: code, message: `refused with ${code}` });
      expect(response.headers.get('retry-after')).toBeNull();
    });

    it.each(EXPECTED.filter(([, status]) => status === 401))(
      'names the Bearer scheme on %s (WWW-Authenticate), a refused token as such',
      async (code) => {
        const response = await app.api.get(`/fail/domain/${code}`);

        expect(response.headers.get('www-authenticate')).toBe(
          code === 'invalid_token' ? 'Bearer realm="totp-mfa", error="invalid_token"' : 'Bearer realm="totp-mfa"',
        );
      },
    );

    it('sends no WWW-Authenticate with any other status', async () => {
      for (const [code] of EXPECTED.filter(([, status]) => status !== 401)) {
        expect((await app.api.get(`/fail/domain/${code}`)).headers.get('www-authenticate')).toBeNull();
      }
    });

    it.each(['mfa_locked', 'too_many_attempts'])(
      'tells when to retry on %s (Retry-After), not in the body',
      async (code) => {
        const response = await app.api.get(`/fail/domain/${code}?retryAfter=240`);

        expect(response.status).toBe(statusOf(code as ErrorCode));
        expect(response.headers.get('retry-after')).toBe('240');
        expect(response.body).toEqual({ error: code, message: `refused with ${code}` });
      },
    );

    it.each(['unexpected', 'thrown-string'])(
      'answers anything unexpected (%s) with 500 internal_error, no details, and logs it',
      async (route) => {
        const response = await app.api.get(`/fail/${route}`);

        expect(response.status).toBe(500);
        expect(response.body).toEqual({ error: 'internal_error', message: 'internal error' });
        expect(JSON.stringify(response.body) + [...response.headers.values()].join()).not.toContain(SECRET);
        expect(app.logger.text()).toContain(SECRET);
      },
    );

    it("maps the framework's own exceptions by status", async () => {
      expect(await app.api.get('/fail/forbidden')).toMatchObject({
        status: 403,
        body: { error: 'forbidden', message: 'not for you' },
      });
      expect(await app.api.get('/fail/number/abc')).toMatchObject({
        status: 400,
        body: { error: 'validation_failed' },
      });
      expect(await app.api.get('/nowhere')).toMatchObject({
        status: 404,
        body: { error: 'not_found', message: 'no such resource' },
      });
    });
  });

  describe('in the real gateway', () => {
    let gateway: Awaited<ReturnType<typeof startGatewayUnderTest>>;
    beforeAll(async () => {
      gateway = await startGatewayUnderTest({ LOGIN_RATE_LIMIT_PER_MINUTE: '1000' });
    });
    afterAll(() => gateway.close());

    it('answers a body that breaks the schema with 400 validation_failed naming each field', async () => {
      const response = await gateway.api.post('/v1/auth/login', { email: '', password: 42 });

      expect(response.status).toBe(400);
      expect(response.body).toEqual({ error: 'validation_failed', message: expect.stringMatching(/email.*password/) });
    });

    it('answers malformed JSON with 400 validation_failed, without echoing the body', async () => {
      const rawBody = `{"email": "${USER.email}", "password": ${SECRET}}`;

      const response = await gateway.api.post('/v1/auth/login', undefined, { rawBody });

      expect(response.status).toBe(400);
      expect(response.body).toEqual({ error: 'validation_failed', message: 'malformed JSON body' });
    });

    it('answers a body over 64 KiB with 413 payload_too_large, and reads one just under it', async () => {
      const body = (size: number) => JSON.stringify({ email: USER.email, password: 'x'.repeat(size) });

      const over = await gateway.api.post('/v1/auth/login', undefined, { rawBody: body(65 * 1024) });
      const under = await gateway.api.post('/v1/auth/login', undefined, { rawBody: body(63 * 1024) });

      expect(over).toMatchObject({
        status: 413,
        body: { error: 'payload_too_large', message: 'request body exceeds 64 KiB' },
      });
      expect(under).toMatchObject({ status: 400, body: { error: 'validation_failed' } });
    });

    it('answers 503 service_unavailable when a service does not answer', async () => {
      answerPasswordStep(gateway.services).unreachable(IdentityRpc.verifyCredentials);

      expect(await gateway.api.post('/v1/auth/login', { email: USER.email, password: 'pw' })).toMatchObject({
        status: 503,
        body: { error: 'service_unavailable' },
      });
    });

    it("passes mfa_locked on as 423 with the service's Retry-After", async () => {
      answerPasswordStep(gateway.services)
        .answer(MfaRpc.getStatus, { status: 'active', activatedAt: '2025-06-02T10:00:00.000Z' })
        .answer(PolicyRpc.evaluateLogin, { allowed: true, mfaRequired: true, enrollmentRequired: false })
        .refuse(
          MfaRpc.verifyChallenge,
          new DomainError('mfa_locked', 'too many wrong codes; try again later', {
            lockedUntil: '2025-06-02T10:05:00.000Z',
            retryAfterSeconds: 180,
          }),
        );
      const { mfaToken } = (await gateway.api.post('/v1/auth/login', { email: USER.email, password: 'pw' })).body;

      const response = await gateway.api.post('/v1/auth/login/mfa', { mfaToken, code: '123456' });

      expect(response.status).toBe(423);
      expect(response.headers.get('retry-after')).toBe('180');
      expect(response.body).toEqual({ error: 'mfa_locked', message: 'too many wrong codes; try again later' });
    });
  });

  describe('past the login rate limit in the real gateway', () => {
    let gateway: Awaited<ReturnType<typeof startGatewayUnderTest>>;
    beforeAll(async () => {
      gateway = await startGatewayUnderTest({ LOGIN_RATE_LIMIT_PER_MINUTE: '1' });
    });
    afterAll(() => gateway.close());

    it('answers 429 too_many_attempts with Retry-After', async () => {
      await gateway.api.post('/v1/auth/login', { email: USER.email, password: 'pw' });

      const response = await gateway.api.post('/v1/auth/login', { email: USER.email, password: 'pw' });

      expect(response).toMatchObject({ status: 429, body: { error: 'too_many_attempts' } });
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(response.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    });
  });
});
