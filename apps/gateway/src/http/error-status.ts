import type { ErrorCode } from '#contracts';

/** The one table from domain error codes to HTTP statuses (DESIGN.md, REST contract). */
export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  validation_failed: 400,
  invalid_payload: 400,
  weak_password: 400,
  invalid_codes: 400,
  confirmation_required: 400,
  invalid_credentials: 401,
  invalid_mfa_token: 401,
  invalid_token: 401,
  invalid_code: 401,
  ip_not_allowed: 403,
  forbidden: 403,
  not_found: 404,
  mfa_already_active: 409,
  mfa_not_active: 409,
  no_pending_enrollment: 409,
  email_taken: 409,
  payload_too_large: 413,
  mfa_locked: 423,
  too_many_attempts: 429,
  internal_error: 500,
  service_unavailable: 503,
};
