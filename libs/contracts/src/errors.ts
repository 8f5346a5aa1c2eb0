/**
 * The error codes of DESIGN.md's REST contract plus the internal ones. Services
 * answer with these codes; the gateway's one exception filter maps them to HTTP
 * statuses. Messages never carry secrets, codes, hashes or tokens.
 */
export const ERROR_CODES = [
  'validation_failed',
  'invalid_payload',
  'weak_password',
  'password_too_common',
  'invalid_credentials',
  'invalid_mfa_token',
  'invalid_token',
  'invalid_refresh_token',
  'ip_not_allowed',
  'forbidden',
  'mfa_required_for_admin',
  'reauthentication_required',
  'not_found',
  'too_many_attempts',
  'invalid_code',
  'invalid_codes',
  'mfa_locked',
  'account_locked',
  'mfa_not_active',
  'mfa_already_active',
  'no_pending_enrollment',
  'confirmation_required',
  'email_taken',
  'payload_too_large',
  'service_unavailable',
  'internal_error',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** A refusal the domain expects (wrong code, taken email...): a value, not a crash. */
export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra, non-secret facts a client may use (e.g. `retryAfterSeconds`). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export interface ErrorBody {
  readonly code: ErrorCode;
  readonly message: string;
  readonly details?: Record<string, unknown>;
}

/** What every request/reply pattern answers: a value or a typed refusal. */
export type RpcResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ErrorBody };

export const ok = <T>(value: T): RpcResult<T> => ({ ok: true, value });

export const failure = (error: DomainError): RpcResult<never> => ({
  ok: false,
  error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) },
});
