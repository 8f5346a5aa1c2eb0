import { z } from 'zod';
import { rpc } from './rpc.js';
import { id, loginContext } from './schemas.js';

const instant = z.iso.datetime();

/**
 * How a session's user proved who they are (RFC 8176): the password, then a
 * code (`otp`) or a recovery code (`rec`: RFC 8176 registers no value for a
 * look-up secret, and calling one `otp` would let it pass for the authenticator).
 */
export const authMethod = z.enum(['pwd', 'otp', 'rec']);
export type AuthMethod = z.infer<typeof authMethod>;

/**
 * `<sessionId>.<256 random bits, base64url>`: opaque to clients (they store it
 * and send it back). The gateway makes it and keeps nothing of it; identity is
 * sent, and keeps, only its SHA-256 (`refreshTokenHash`): the token itself
 * never crosses the bus.
 */
export const refreshToken = z
  .string()
  .max(200)
  .regex(/^[A-Za-z0-9_-]{1,64}\.[A-Za-z0-9_-]{43}$/, 'must be a refresh token');

/** A refresh token's SHA-256, base64url: nothing to seal (256 random bits cannot be found from it). */
export const refreshTokenHash = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a SHA-256, base64url');

/** What the gateway puts in a session's access tokens: taken from the session, never from the request. */
export const sessionClaims = z.object({
  sessionId: id,
  userId: id,
  orgId: id,
  roles: z.array(z.string()).readonly(),
  amr: z.array(authMethod).min(1).readonly(),
  /** When the user signed in (the password step): `auth_time`, kept through every refresh. */
  authenticatedAt: instant,
});
export type SessionClaims = z.infer<typeof sessionClaims>;

/** A session's claims, and until when its current refresh token may be used. */
export const sessionGrant = sessionClaims.extend({
  /** The refresh token is refused after this (idle timeout, or the session's own end, whichever is first). */
  refreshTokenExpiresAt: instant,
});
export type SessionGrant = z.infer<typeof sessionGrant>;

export const sessionView = z.object({
  id,
  startedAt: instant,
  /** The last refresh; null while the first access token is in use. */
  lastRefreshedAt: instant.nullable(),
  /** Where the session was last used from (its start or its last refresh). */
  ip: z.string().max(64),
  userAgent: z.string().max(512),
  expiresAt: instant,
});
export type SessionView = z.infer<typeof sessionView>;

/**
 * Sessions (the identity service, `session-<id>` streams): a signed-in
 * device's refresh tokens, rotated on every use. Refusals: `invalid_refresh_token`
 * (unknown, rotated, expired or revoked), `not_found` (not this user's session).
 */
export const SessionRpc = {
  /**
   * After a successful sign-in. `authenticatedAt` is when the password was
   * checked: a sign-in that began before a revocation of the user's sessions
   * (a password or MFA change) is refused with `invalid_credentials`.
   */
  startSession: rpc('identity.start-session', {
    request: z.object({
      /** Chosen by the gateway with the token (a UUID); a session that exists already is refused, unless this is a repeat of its start. */
      sessionId: id,
      refreshTokenHash,
      userId: id,
      amr: z.array(authMethod).min(1).max(2),
      authenticatedAt: instant,
      context: loginContext,
    }),
    response: sessionGrant,
  }),
  /**
   * Rotates the refresh token: `presentedHash` is the hash of the token the
   * client sent, `refreshTokenHash` the hash of the one that replaces it. A
   * rotated one presented again revokes the whole session
   * (`refresh_token_reused`: one of the two holders is not its owner).
   */
  refreshSession: rpc('identity.refresh-session', {
    request: z.object({ sessionId: id, presentedHash: refreshTokenHash, refreshTokenHash, context: loginContext }),
    response: sessionGrant,
  }),
  /** Logout: the session of this refresh token ends (a session already ended answers the same). */
  endSession: rpc('identity.end-session', {
    request: z.object({ sessionId: id, presentedHash: refreshTokenHash }),
    response: z.object({ sessionId: id }),
  }),
  /** The user ends one of their own sessions (`not_found` for anyone else's). */
  revokeSession: rpc('identity.revoke-session', {
    request: z.object({ userId: id, sessionId: id }),
    response: z.object({ sessionId: id }),
  }),
  /** The user's sessions that can still be refreshed, newest first. */
  listSessions: rpc('identity.list-sessions', {
    request: z.object({ userId: id }),
    response: z.object({ sessions: z.array(sessionView).readonly() }),
  }),
} as const;
