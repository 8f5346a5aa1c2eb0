import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Principal } from './token.service.js';

export const IS_PUBLIC = 'auth:public';
export const ALLOWS_ENROLLMENT_TOKEN = 'auth:allows-enrollment-token';
export const ALLOWS_PASSWORD_CHANGE_TOKEN = 'auth:allows-password-change-token';
export const REQUIRED_ROLE = 'auth:required-role';

/** No token needed (login, JWKS, health, docs). Everything else is denied by default. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Also accepts the enrolment-only token of `mfa_enrollment_required`. */
export const AllowsEnrollmentToken = () => SetMetadata(ALLOWS_ENROLLMENT_TOKEN, true);

/** Also accepts the token of `password_change_required` (only the password change itself should). */
export const AllowsPasswordChangeToken = () => SetMetadata(ALLOWS_PASSWORD_CHANGE_TOKEN, true);

export const RequiresRole = (role: string) => SetMetadata(REQUIRED_ROLE, role);

export const REQUIRES_RECENT_SIGN_IN = 'auth:requires-recent-sign-in';

/** How recent a sign-in `@RequiresRecentSignIn()` asks for (`auth_time`): 15 minutes. */
export const RECENT_SIGN_IN_SECONDS = 15 * 60;

/**
 * A privileged change (policies, an MFA reset): the access token's sign-in
 * (`auth_time`, kept through refreshes) is at most 15 minutes old, else `403
 * reauthentication_required`. Step-up as NIST SP 800-63B §4.1.2 and Ory
 * Kratos's privileged sessions have it: a session left open is not enough.
 */
export const RequiresRecentSignIn = () => SetMetadata(REQUIRES_RECENT_SIGN_IN, true);

export const CurrentPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext): Principal => context.switchToHttp().getRequest<{ user: Principal }>().user,
);
