import type { SessionGrant } from '#contracts';
import type { TokenService } from '../auth/token.service.js';

/** What a sign-in and a refresh answer: an access token of the session and the session's new refresh token. */
export interface Authenticated {
  readonly status: 'authenticated';
  readonly accessToken: string;
  readonly tokenType: 'Bearer';
  /** Seconds the access token is good for (5 minutes): then `POST /v1/auth/refresh`. */
  readonly expiresIn: number;
  /** Opaque; good for one refresh (a used one presented again ends the session). */
  readonly refreshToken: string;
  /** Seconds until the refresh token expires unused. */
  readonly refreshExpiresIn: number;
}

/**
 * An access token whose claims are the session's (identity's record, not the
 * request's): `sid` names the session, `auth_time` when its user signed in;
 * and the refresh token the gateway made, whose hash identity has just recorded.
 */
export function authenticated(
  tokens: TokenService,
  session: SessionGrant,
  refreshToken: string,
  now: Date,
): Authenticated {
  const { token, expiresIn } = tokens.issue('access', {
    sub: session.userId,
    org: session.orgId,
    roles: session.roles,
    amr: session.amr,
    sid: session.sessionId,
    authTime: Math.floor(Date.parse(session.authenticatedAt) / 1000),
  });
  return {
    status: 'authenticated',
    accessToken: token,
    tokenType: 'Bearer',
    expiresIn,
    refreshToken,
    refreshExpiresIn: Math.max(0, Math.floor((Date.parse(session.refreshTokenExpiresAt) - now.getTime()) / 1000)),
  };
}
