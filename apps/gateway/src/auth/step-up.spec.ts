import { Controller, Get, Put } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGuardedApp, USER, type HttpUnderTest } from '../gateway.testing.js';
import { CurrentPrincipal, RequiresRecentSignIn, RequiresRole } from './auth.decorators.js';
import type { Principal, TokenService } from './token.service.js';

@RequiresRole('admin')
@Controller('admin-probe')
class AdminProbeController {
  @Get()
  read(@CurrentPrincipal() principal: Principal) {
    return { sub: principal.sub };
  }

  @Put('policy')
  @RequiresRecentSignIn()
  change(@CurrentPrincipal() principal: Principal) {
    return { sub: principal.sub };
  }
}

@Controller('probe')
class SelfServiceProbeController {
  @Get()
  read(@CurrentPrincipal() principal: Principal) {
    return { sub: principal.sub };
  }
}

const ADMIN = { sub: USER.id, org: USER.orgId, roles: ['admin'], sid: 's-1' } as const;
const now = () => Math.floor(Date.now() / 1000);

describe('step-up for privileged actions (AuthGuard)', () => {
  let app: HttpUnderTest & { readonly tokens: TokenService };
  const call = (method: 'get' | 'put', path: string, claims: Parameters<TokenService['issue']>[1]) => {
    const token = app.tokens.issue('access', claims).token;
    return app.api[method](path, method === 'put' ? {} : { token }, method === 'put' ? { token } : undefined);
  };

  beforeAll(async () => {
    app = await startGuardedApp([AdminProbeController, SelfServiceProbeController]);
  });
  afterAll(() => app.close());

  describe('administration needs a sign-in with a code (amr otp)', () => {
    it('lets an admin who signed in with password and code through', async () => {
      expect(await call('get', '/admin-probe', { ...ADMIN, amr: ['pwd', 'otp'] })).toMatchObject({ status: 200 });
    });

    it('answers 403 mfa_required_for_admin to an admin who signed in with a password only', async () => {
      expect(await call('get', '/admin-probe', { ...ADMIN, amr: ['pwd'] })).toMatchObject({
        status: 403,
        body: { error: 'mfa_required_for_admin', message: 'administration requires signing in with a code (MFA)' },
      });
    });

    it('still answers forbidden, not mfa_required_for_admin, to someone without the role', async () => {
      expect(await call('get', '/admin-probe', { ...ADMIN, roles: ['billing'], amr: ['pwd'] })).toMatchObject({
        status: 403,
        body: { error: 'forbidden' },
      });
    });

    it('asks no code of a user outside administration', async () => {
      expect(await call('get', '/probe', { ...ADMIN, roles: ['billing'], amr: ['pwd'] })).toMatchObject({
        status: 200,
      });
    });
  });

  describe('a policy change or an MFA reset needs a sign-in of the last 15 minutes (auth_time)', () => {
    it('lets a recent one through, up to 15 minutes', async () => {
      const otp = { ...ADMIN, amr: ['pwd', 'otp'] } as const;
      expect(await call('put', '/admin-probe/policy', { ...otp, authTime: now() - 5 })).toMatchObject({ status: 200 });
      expect(await call('put', '/admin-probe/policy', { ...otp, authTime: now() - 899 })).toMatchObject({
        status: 200,
      });
    });

    it.each([
      ['a sign-in 16 minutes ago (however recent the access token)', now() - 16 * 60],
      ['a token without auth_time', undefined],
    ])('answers 403 reauthentication_required to %s', async (_, authTime) => {
      const claims = { ...ADMIN, amr: ['pwd', 'otp'] as const, ...(authTime ? { authTime } : {}) };
      expect(await call('put', '/admin-probe/policy', claims)).toMatchObject({
        status: 403,
        body: { error: 'reauthentication_required' },
      });
    });

    it('needs the code first: an old password-only sign-in is mfa_required_for_admin', async () => {
      expect(
        await call('put', '/admin-probe/policy', { ...ADMIN, amr: ['pwd'], authTime: now() - 3600 }),
      ).toMatchObject({ status: 403, body: { error: 'mfa_required_for_admin' } });
    });

    it('reads the recent sign-in only where a route asks for it', async () => {
      expect(
        await call('get', '/admin-probe', { ...ADMIN, amr: ['pwd', 'otp'], authTime: now() - 3600 }),
      ).toMatchObject({ status: 200 });
    });
  });
});
