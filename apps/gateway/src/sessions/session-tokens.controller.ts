import { Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { DomainError, mintRefreshToken, parseOrRefuse, refreshTokenHashOf, SessionRpc, sessionIdOf } from '#contracts';
import { CLOCK, type Clock } from '#config';
import { ServiceClient } from '#messaging';
import { Public } from '../auth/auth.decorators.js';
import { TokenService } from '../auth/token.service.js';
import { ClientIp, UserAgent } from '../http/client-ip.js';
import {
  clearRefreshCookie,
  refreshCookieOf,
  SESSION_TRANSPORT_HEADER,
  usesCookieTransport,
} from './browser-session.js';
import { authenticated } from './session-tokens.js';
import { RefreshBody } from './sessions.schemas.js';

/**
 * A session's tokens: a refresh token for a new access token (and a new
 * refresh token), and logout. Public: the refresh token is the credential.
 * No password hashing on this path: identity compares SHA-256 hashes, and is
 * sent only those (the gateway makes each new refresh token).
 * The refresh token comes in the body, or, with `X-Session-Transport: cookie`
 * (a browser; `BrowserSessionInterceptor` has checked the origin), in the
 * session cookie; a refused or ended session's cookie is cleared.
 */
const COOKIE_TRANSPORT = {
  name: SESSION_TRANSPORT_HEADER,
  required: false,
  description: '`cookie`: the refresh token is the session cookie, not the body (browsers; same origin only)',
};

@ApiTags('login')
@Public()
@Controller('v1/auth')
export class SessionTokensController {
  constructor(
    private readonly services: ServiceClient,
    private readonly tokens: TokenService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({
    summary: 'A new access token and a new refresh token; a refresh token used before ends the whole session',
  })
  @ApiHeader(COOKIE_TRANSPORT)
  @ApiBody({ schema: z.toJSONSchema(RefreshBody) as object, required: false })
  async refresh(
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
    @ClientIp() ip: string,
    @UserAgent() userAgent: string,
  ) {
    const presented = refreshTokenOf(request);
    const next = mintRefreshToken(sessionIdOf(presented));
    try {
      const session = await this.services.call(SessionRpc.refreshSession, {
        sessionId: next.sessionId,
        presentedHash: refreshTokenHashOf(presented),
        refreshTokenHash: next.refreshTokenHash,
        context: { ip, userAgent },
      });
      return authenticated(this.tokens, session, next.refreshToken, this.clock.now());
    } catch (error) {
      if (usesCookieTransport(request) && isRefusedToken(error)) clearRefreshCookie(response);
      throw error;
    }
  }

  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: "Ends the refresh token's session: its access tokens are refused within seconds" })
  @ApiHeader(COOKIE_TRANSPORT)
  @ApiBody({ schema: z.toJSONSchema(RefreshBody) as object, required: false })
  async logout(@Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<void> {
    if (!usesCookieTransport(request)) {
      await this.services.call(SessionRpc.endSession, endingOf(refreshTokenOf(request)));
      return;
    }
    // A browser signing out: the cookie goes whatever identity answers; no cookie, nothing to end.
    clearRefreshCookie(response);
    const refreshToken = refreshCookieOf(request);
    if (refreshToken !== undefined) await this.services.call(SessionRpc.endSession, endingOf(valid(refreshToken)));
  }
}

/** What identity is told of a refresh token that ends its session: the session, and the token's hash. */
const endingOf = (refreshToken: string) => ({
  sessionId: sessionIdOf(refreshToken),
  presentedHash: refreshTokenHashOf(refreshToken),
});

/** The body's refresh token (400 validation_failed as any body), or the session cookie's. */
function refreshTokenOf(request: Request): string {
  if (!usesCookieTransport(request)) {
    return parseOrRefuse(RefreshBody, request.body, { code: 'validation_failed', root: 'body' }).refreshToken;
  }
  const fromCookie = refreshCookieOf(request);
  if (fromCookie === undefined) throw new DomainError('invalid_refresh_token', 'no session cookie; sign in');
  return valid(fromCookie);
}

/** A cookie the browser sends back is ours unless tampered with: a malformed one is simply no session. */
function valid(refreshToken: string): string {
  return parseOrRefuse(RefreshBody, { refreshToken }, { code: 'invalid_refresh_token', root: 'cookie' }).refreshToken;
}

const isRefusedToken = (error: unknown): boolean =>
  error instanceof DomainError && error.code === 'invalid_refresh_token';
