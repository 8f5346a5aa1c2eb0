import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { map, type Observable } from 'rxjs';
import { assertSameOrigin, setRefreshCookie, usesCookieTransport } from './browser-session.js';

/**
 * For a request that opts into the cookie transport (sign-in, the code step,
 * refresh): refuses it unless it comes from this origin, and moves the refresh
 * token of an `authenticated` answer from the body into the session cookie.
 * Requests without the header pass untouched.
 */
@Injectable()
export class BrowserSessionInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    if (!usesCookieTransport(request)) return next.handle();
    assertSameOrigin(request);
    const response = http.getResponse<Response>();
    return next.handle().pipe(
      map((body: unknown) => {
        if (!hasRefreshToken(body)) return body;
        const { refreshToken, ...rest } = body;
        setRefreshCookie(response, refreshToken, body.refreshExpiresIn);
        return rest;
      }),
    );
  }
}

function hasRefreshToken(body: unknown): body is { refreshToken: string; refreshExpiresIn: number } {
  const candidate = body as { refreshToken?: unknown; refreshExpiresIn?: unknown } | null;
  return typeof candidate?.refreshToken === 'string' && typeof candidate.refreshExpiresIn === 'number';
}
