import type { AuthMethod } from '#contracts';

export const SESSION_STREAM_PREFIX = 'session-';

/** One signed-in device: `session-<sessionId>`. */
export const sessionStream = (sessionId: string): string => `${SESSION_STREAM_PREFIX}${sessionId}`;

/** Where the session was used from; shown to its user, audit otherwise. */
export type SessionContext = { readonly ip: string; readonly userAgent: string };

/** Why a session ended before its time: by its user, by replay detection, or by a change of the user's credentials. */
export type SessionRevocationReason =
  | 'logout'
  | 'revoked_by_user'
  | 'refresh_token_reused'
  | 'password_changed'
  | 'password_set_by_admin'
  | 'roles_changed'
  | 'mfa_activated'
  | 'mfa_deactivated'
  | 'mfa_reset';

/**
 * `refreshTokenHash` is the SHA-256 of the refresh token (`refresh-token.ts`);
 * the token itself is never stored, and the hash never published. `roles`,
 * `orgId` and `amr` are the claims of every access token of the session: a
 * change of roles revokes it rather than changing them.
 */
export type SessionStarted = {
  readonly type: 'SessionStarted';
  readonly data: {
    readonly sessionId: string;
    readonly userId: string;
    readonly orgId: string;
    readonly roles: readonly string[];
    readonly amr: readonly AuthMethod[];
    /** When the sign-in began (the password was checked): `auth_time`, and what revocations compare. */
    readonly authenticatedAt: string;
    readonly startedAt: string;
    /** The session's own end: no refresh after it, however recent the last one. */
    readonly expiresAt: string;
    readonly refreshTokenHash: string;
    readonly refreshTokenExpiresAt: string;
    readonly context: SessionContext;
  };
};

/** The refresh token was rotated: the previous one is spent, and presenting it again revokes the session. */
export type SessionRefreshed = {
  readonly type: 'SessionRefreshed';
  readonly data: {
    readonly sessionId: string;
    readonly refreshedAt: string;
    readonly refreshTokenHash: string;
    readonly refreshTokenExpiresAt: string;
    readonly context: SessionContext;
  };
};

export type SessionRevoked = {
  readonly type: 'SessionRevoked';
  readonly data: {
    readonly sessionId: string;
    readonly userId: string;
    readonly revokedAt: string;
    readonly reason: SessionRevocationReason;
  };
};

export type SessionEvent = SessionStarted | SessionRefreshed | SessionRevoked;
