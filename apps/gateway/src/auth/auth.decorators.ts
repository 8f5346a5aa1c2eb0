import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Principal } from './token.service.js';

export const IS_PUBLIC = 'auth:public';
export const ALLOWS_ENROLLMENT_TOKEN = 'auth:allows-enrollment-token';
export const REQUIRED_ROLE = 'auth:required-role';

/** No token needed (login, JWKS, health, docs). Everything else is denied by default. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Also accepts the enrolment-only token of `mfa_enrollment_required`. */
export const AllowsEnrollmentToken = () => SetMetadata(ALLOWS_ENROLLMENT_TOKEN, true);

export const RequiresRole = (role: string) => SetMetadata(REQUIRED_ROLE, role);

export const CurrentPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext): Principal => context.switchToHttp().getRequest<{ user: Principal }>().user,
);
