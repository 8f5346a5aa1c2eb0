import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError, type ErrorCode } from '#contracts';
import { STATUS_BY_CODE } from './error-status.js';

const BEARER = 'Bearer realm="totp-mfa"';
const BEARER_INVALID_TOKEN = `${BEARER}, error="invalid_token"`;

const CODE_BY_HTTP_STATUS: Record<number, ErrorCode> = {
  400: 'validation_failed',
  401: 'invalid_token',
  403: 'forbidden',
  404: 'not_found',
  413: 'payload_too_large',
  429: 'too_many_attempts',
};

/**
 * Every error leaves the gateway as `{error, message}`: domain refusals with
 * their status, framework errors (unknown route, malformed JSON, oversized
 * body) as the matching 4xx, anything else as a 500 without details.
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, code, message, retryAfterSeconds } = this.describe(exception);
    if (retryAfterSeconds !== undefined) response.setHeader('Retry-After', String(retryAfterSeconds));
    // RFC 9110 §15.5.2 and RFC 6750 §3: a 401 names the scheme; a refused bearer token says so.
    if (status === 401) {
      response.setHeader('WWW-Authenticate', code === 'invalid_token' ? BEARER_INVALID_TOKEN : BEARER);
    }
    response.status(status).json({ error: code, message });
  }

  private describe(exception: unknown): {
    status: number;
    code: ErrorCode;
    message: string;
    retryAfterSeconds?: number;
  } {
    if (exception instanceof DomainError) {
      const retryAfter = exception.details?.retryAfterSeconds;
      return {
        status: STATUS_BY_CODE[exception.code],
        code: exception.code,
        message: exception.message,
        ...(typeof retryAfter === 'number' ? { retryAfterSeconds: retryAfter } : {}),
      };
    }
    // Nest's Express adapter hands body-parser errors over as an HttpException with the parser's error as
    // its cause; its message would echo part of the body (a password, say) back in the answer.
    const bodyParserError = asBodyParserError(exception instanceof HttpException ? exception.cause : exception);
    if (bodyParserError) return bodyParserError;
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = CODE_BY_HTTP_STATUS[status] ?? (status < 500 ? 'validation_failed' : 'internal_error');
      return { status, code, message: status === 404 ? 'no such resource' : exception.message };
    }
    this.logger.error('unexpected error', exception instanceof Error ? exception.stack : String(exception));
    return { status: 500, code: 'internal_error', message: 'internal error' };
  }
}

/** Express's body parser reports malformed and oversized bodies with a `type` and a 4xx `status`. */
function asBodyParserError(exception: unknown): { status: number; code: ErrorCode; message: string } | undefined {
  const error = exception as { type?: unknown; status?: unknown } | null;
  if (typeof error?.type !== 'string' || typeof error.status !== 'number') return undefined;
  if (error.type === 'entity.too.large')
    return { status: 413, code: 'payload_too_large', message: 'request body exceeds 64 KiB' };
  if (error.type === 'entity.parse.failed')
    return { status: 400, code: 'validation_failed', message: 'malformed JSON body' };
  return { status: error.status, code: 'validation_failed', message: 'unreadable request body' };
}
