import { Controller, Get } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  gatewayConfig,
  publicKeyPemOf,
  signingKeyPem,
  startGuardedApp,
  USER,
  type HttpUnderTest,
} from '../gateway.testing.js';
import {
  AllowsEnrollmentToken,
  AllowsPasswordChangeToken,
  CurrentPrincipal,
  Public,
  RequiresRole,
} from './auth.decorators.js';
import { AUDIENCE, TOKEN_ISSUER, TokenService, type Principal, type TokenKind } from './token.service.js';

@Controller('probe')
class ProbeController {
  @Get('signed-in')
  signedIn(@CurrentPrincipal() principal: Principal) {
    return principal;
  }

  @Get('password-change')
  @AllowsPasswordChangeToken()
  passwordChange(@CurrentPrincipal() principal: Principal) {
    return principal;
  }

  @Get('mfa-set-up')
  @AllowsEnrollmentToken()
  mfaSetUp(@CurrentPrincipal() principal: Principal) {
    return principal;
  }

  @Get('open')
  @Public()
  open() {
    return { open: true };
  }
}

@RequiresRole('admin')
@Controller('admin-probe')
class AdminProbeController {
  @Get()
  admin(@CurrentPrincipal() principal: Principal) {
    return principal;
  }
}

const CLAIMS = { sub: USER.id, org: USER.orgId, roles: USER.roles, amr: ['pwd', 'otp'] } as const;
const ADMIN = { ...CLAIMS, roles: ['admin'] };
const INVALID_TOKEN = { error: 'invalid_token', message: 'a valid access token is required' };

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('AuthGuard (with the passport-jwt strategy, over HTTP)', () => {
  let app: HttpUnderTest & { readonly tokens: TokenService };
  const previous = new TokenService(gatewayConfig());
  const token = (kind: TokenKind, claims: Omit<Principal, 'kind'> = CLAIMS) => app.tokens.issue(kind, claims).token;
  const get = (path: string, bearer?: string) =>
    app.api.get(path, bearer === undefined ? {} : { headers: { authorization: `Bearer ${bearer}` } });
  /** A token with our claims as `sign` makes it: what an attacker could build. */
  const forged = (sign: (payload: object, kid: string) => string) =>
    sign(
      {
        sub: USER.id,
        org: USER.orgId,
        roles: ['admin'],
        amr: ['pwd', 'otp'],
        aud: AUDIENCE.access,
        iss: TOKEN_ISSUER,
        exp: Math.floor(Date.now() / 1000) + 600,
      },
      app.tokens.keys.current.kid,
    );

  beforeAll(async () => {
    app = await startGuardedApp(
      [ProbeController, AdminProbeController],
      gatewayConfig({ JWT_PREVIOUS_PUBLIC_KEYS: publicKeyPemOf(previous) }),
    );
  });
  afterAll(() => app.close());

  describe('token kinds', () => {
    it('lets an access token through and hands its principal to the route', async () => {
      expect(await get('/probe/signed-in', token('access'))).toMatchObject({
        status: 200,
        body: { kind: 'access', ...CLAIMS },
      });
    });

    it('lets an access token of the previous signing key through', async () => {
      const beforeRotation = previous.issue('access', CLAIMS).token;

      expect(await get('/probe/signed-in', beforeRotation)).toMatchObject({ status: 200, body: { sub: USER.id } });
    });

    it('refuses the mfa token of the password step on every route that needs a token', async () => {
      expect(await get('/probe/signed-in', token('mfa'))).toMatchObject({ status: 401, body: INVALID_TOKEN });
      expect(await get('/probe/mfa-set-up', token('mfa'))).toMatchObject({ status: 401, body: INVALID_TOKEN });
    });

    it('lets the password-change token through only where the password is changed', async () => {
      expect(await get('/probe/password-change', token('password-change'))).toMatchObject({
        status: 200,
        body: { kind: 'password-change', sub: USER.id },
      });
      for (const path of ['/probe/signed-in', '/probe/mfa-set-up']) {
        expect(await get(path, token('password-change'))).toMatchObject({
          status: 403,
          body: { error: 'forbidden', message: 'this token may only be used to change the password' },
        });
      }
      expect(await get('/probe/password-change', token('enrollment'))).toMatchObject({ status: 403 });
      expect(await get('/probe/password-change', token('mfa'))).toMatchObject({ status: 401, body: INVALID_TOKEN });
    });

    it('lets the enrolment token through only where MFA is set up', async () => {
      expect(await get('/probe/mfa-set-up', token('enrollment'))).toMatchObject({
        status: 200,
        body: { kind: 'enrollment', sub: USER.id },
      });
      expect(await get('/probe/signed-in', token('enrollment'))).toMatchObject({
        status: 403,
        body: { error: 'forbidden', message: 'this token may only be used to set up MFA' },
      });
    });

    it.each<[string, () => Record<string, string>]>([
      ['no Authorization header', () => ({})],
      ['another scheme', () => ({ authorization: `Basic ${Buffer.from('ada:pw').toString('base64')}` })],
      ['a bearer that is no JWT', () => ({ authorization: 'Bearer not-a-token' })],
      ['a bearer of three garbage parts', () => ({ authorization: 'Bearer aaa.bbb.ccc' })],
    ])('answers 401 invalid_token to %s', async (_, headers) => {
      expect(await app.api.get('/probe/signed-in', { headers: headers() })).toMatchObject({
        status: 401,
        body: INVALID_TOKEN,
      });
    });

    it.each<[string, () => string]>([
      [
        'an expired access token',
        () =>
          forged((payload, kid) =>
            jwt.sign({ ...payload, exp: Math.floor(Date.now() / 1000) - 1 }, app.tokens.keys.current.privateKey, {
              algorithm: 'ES256',
              keyid: kid,
            }),
          ),
      ],
      [
        'an access token of a key the gateway does not know',
        () => new TokenService(gatewayConfig()).issue('access', ADMIN).token,
      ],
      [
        'a token naming our kid, signed by another key',
        () => forged((payload, kid) => jwt.sign(payload, signingKeyPem(), { algorithm: 'ES256', keyid: kid })),
      ],
      [
        'a token of another issuer, signed by our key',
        () =>
          forged((payload, kid) =>
            jwt.sign({ ...payload, iss: 'someone-else' }, app.tokens.keys.current.privateKey, {
              algorithm: 'ES256',
              keyid: kid,
            }),
          ),
      ],
      [
        'an unsigned token (alg: none)',
        () => forged((payload, kid) => `${base64url({ alg: 'none', typ: 'JWT', kid })}.${base64url(payload)}.`),
      ],
      [
        'an HS256 token keyed with our public key',
        () =>
          forged((payload, kid) => {
            const signed = `${base64url({ alg: 'HS256', typ: 'JWT', kid })}.${base64url(payload)}`;
            const mac = createHmac('sha256', publicKeyPemOf(app.tokens)).update(signed).digest('base64url');
            return `${signed}.${mac}`;
          }),
      ],
    ])('answers 401 invalid_token to %s', async (_, bearer) => {
      expect(await get('/admin-probe', bearer())).toMatchObject({ status: 401, body: INVALID_TOKEN });
    });
  });

  describe('roles', () => {
    it('lets an admin through to an admin route', async () => {
      expect(await get('/admin-probe', token('access', ADMIN))).toMatchObject({
        status: 200,
        body: { roles: ['admin'] },
      });
    });

    it('answers 403 forbidden to a signed-in user without the role', async () => {
      expect(await get('/admin-probe', token('access'))).toMatchObject({
        status: 403,
        body: { error: 'forbidden', message: 'requires the admin role' },
      });
    });

    it('answers 403 to an admin who holds only an enrolment token', async () => {
      expect(await get('/admin-probe', token('enrollment', ADMIN))).toMatchObject({
        status: 403,
        body: { error: 'forbidden', message: 'this token may only be used to set up MFA' },
      });
    });
  });

  describe('@Public', () => {
    it('needs no token, and ignores an invalid one', async () => {
      expect(await get('/probe/open')).toMatchObject({ status: 200, body: { open: true } });
      expect(await get('/probe/open', 'not-a-token')).toMatchObject({ status: 200, body: { open: true } });
    });
  });
});
