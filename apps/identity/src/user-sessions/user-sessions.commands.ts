import type { SessionRevocationReason } from '../sessions/session.events.js';

/** A session just started (its stream written): listed, unless its sign-in began before a revocation. */
export type ListSession = {
  readonly type: 'ListSession';
  readonly data: {
    readonly userId: string;
    readonly sessionId: string;
    readonly authenticatedAt: Date;
    readonly now: Date;
  };
};

export type RevokeUserSessions = {
  readonly type: 'RevokeUserSessions';
  readonly data: {
    readonly userId: string;
    readonly before: Date;
    readonly exceptSessionId: string | null;
    readonly reason: SessionRevocationReason;
    readonly now: Date;
  };
};

export type UserSessionsCommand = ListSession | RevokeUserSessions;
