import type { SessionRevocationReason } from '../sessions/session.events.js';

/**
 * `user_sessions-<userId>`: the index of a user's sessions (their list, and
 * where the revocation of "the user's other sessions" finds them), and the
 * revocations of those sessions, in one stream per user, so a sign-in and a
 * revocation are ordered by its expected revision.
 */
export const userSessionsStream = (userId: string): string => `user_sessions-${userId}`;

export type UserSessionListed = {
  readonly type: 'UserSessionListed';
  readonly data: {
    readonly userId: string;
    readonly sessionId: string;
    readonly authenticatedAt: string;
    readonly listedAt: string;
  };
};

/**
 * The user's credentials changed at `before` (a password or MFA change):
 * every session signed in before it is revoked, except the one the change
 * was made in, and no sign-in begun before it may still start a session.
 */
export type UserSessionsRevoked = {
  readonly type: 'UserSessionsRevoked';
  readonly data: {
    readonly userId: string;
    readonly before: string;
    readonly exceptSessionId: string | null;
    readonly reason: SessionRevocationReason;
    readonly revokedAt: string;
  };
};

export type UserSessionsEvent = UserSessionListed | UserSessionsRevoked;
