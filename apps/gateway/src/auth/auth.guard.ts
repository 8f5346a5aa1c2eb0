import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard as PassportAuthGuard } from '@nestjs/passport';
import { ADMIN_ROLE, DomainError } from '#contracts';
import {
  ALLOWS_ENROLLMENT_TOKEN,
  ALLOWS_PASSWORD_CHANGE_TOKEN,
  IS_PUBLIC,
  RECENT_SIGN_IN_SECONDS,
  REQUIRED_ROLE,
  REQUIRES_RECENT_SIGN_IN,
} from './auth.decorators.js';
import { SessionRevocations } from './session-revocations.js';
import type { Principal } from './token.service.js';

/**
 * The global guard: deny by default; `@Public()` opts out. Checked here: a
 * revoked session's access tokens, enrolment and password-change tokens,
 * roles, and step-up (the admin role needs a sign-in with a code,
 * `@RequiresRecentSignIn()` a recent one).
 */
@Injectable()
export class AuthGuard extends PassportAuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly revocations: SessionRevocations,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    await super.canActivate(context);
    const principal = context.switchToHttp().getRequest<{ user: Principal }>().user;
    if (this.revocations.refuses(principal)) {
      throw new DomainError('invalid_token', 'the session has ended; refresh or sign in again');
    }
    if (
      principal.kind === 'enrollment' &&
      !this.reflector.getAllAndOverride<boolean>(ALLOWS_ENROLLMENT_TOKEN, targets)
    ) {
      throw new DomainError('forbidden', 'this token may only be used to set up MFA');
    }
    if (
      principal.kind === 'password-change' &&
      !this.reflector.getAllAndOverride<boolean>(ALLOWS_PASSWORD_CHANGE_TOKEN, targets)
    ) {
      throw new DomainError('forbidden', 'this token may only be used to change the password');
    }
    const role = this.reflector.getAllAndOverride<string | undefined>(REQUIRED_ROLE, targets);
    if (role && !principal.roles.includes(role)) throw new DomainError('forbidden', `requires the ${role} role`);
    // Step-up: administration needs a sign-in with a code, and some changes a recent one.
    if (role === ADMIN_ROLE && !principal.amr.includes('otp')) {
      throw new DomainError('mfa_required_for_admin', 'administration requires signing in with a code (MFA)');
    }
    const recentSignIn = this.reflector.getAllAndOverride<boolean>(REQUIRES_RECENT_SIGN_IN, targets);
    if (recentSignIn && !(Date.now() / 1000 - (principal.authTime ?? 0) <= RECENT_SIGN_IN_SECONDS)) {
      throw new DomainError(
        'reauthentication_required',
        `this change needs a sign-in of the last ${RECENT_SIGN_IN_SECONDS / 60} minutes; sign in again`,
      );
    }
    return true;
  }

  override handleRequest<T>(error: unknown, principal: T): T {
    if (error || !principal) throw new DomainError('invalid_token', 'a valid access token is required');
    return principal;
  }
}
