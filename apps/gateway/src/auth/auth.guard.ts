import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard as PassportAuthGuard } from '@nestjs/passport';
import { DomainError } from '#contracts';
import { ALLOWS_ENROLLMENT_TOKEN, IS_PUBLIC, REQUIRED_ROLE } from './auth.decorators.js';
import type { Principal } from './token.service.js';

/** The global guard: deny by default; `@Public()` opts out; enrolment tokens and roles are checked here. */
@Injectable()
export class AuthGuard extends PassportAuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    await super.canActivate(context);
    const principal = context.switchToHttp().getRequest<{ user: Principal }>().user;
    if (
      principal.kind === 'enrollment' &&
      !this.reflector.getAllAndOverride<boolean>(ALLOWS_ENROLLMENT_TOKEN, targets)
    ) {
      throw new DomainError('forbidden', 'this token may only be used to set up MFA');
    }
    const role = this.reflector.getAllAndOverride<string | undefined>(REQUIRED_ROLE, targets);
    if (role && !principal.roles.includes(role)) throw new DomainError('forbidden', `requires the ${role} role`);
    return true;
  }

  override handleRequest<T>(error: unknown, principal: T): T {
    if (error || !principal) throw new DomainError('invalid_token', 'a valid access token is required');
    return principal;
  }
}
