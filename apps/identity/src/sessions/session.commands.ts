import type { AuthMethod } from '#contracts';
import type { SessionContext, SessionRevocationReason } from './session.events.js';

/**
 * What the session handlers ask of the aggregate. Refresh tokens reach it only
 * as SHA-256 hashes: the handler makes the token and hashes what is presented.
 */
export type StartSession = {
  readonly type: 'StartSession';
  readonly data: {
    readonly sessionId: string;
    readonly userId: string;
    readonly orgId: string;
    readonly roles: readonly string[];
    readonly amr: readonly AuthMethod[];
    readonly authenticatedAt: Date;
    readonly refreshTokenHash: string;
    readonly context: SessionContext;
    readonly now: Date;
  };
};

export type RefreshSession = {
  readonly type: 'RefreshSession';
  readonly data: {
    readonly presentedHash: string;
    /** The hash of the token that replaces it. */
    readonly refreshTokenHash: string;
    readonly context: SessionContext;
    readonly now: Date;
  };
};

/** Logout with the session's refresh token. */
export type EndSession = {
  readonly type: 'EndSession';
  readonly data: { readonly presentedHash: string; readonly now: Date };
};

/** By its user (from the list of their sessions), or because the user's credentials changed. */
export type RevokeSession = {
  readonly type: 'RevokeSession';
  readonly data: { readonly userId: string; readonly reason: SessionRevocationReason; readonly now: Date };
};

export type SessionCommand = StartSession | RefreshSession | EndSession | RevokeSession;
