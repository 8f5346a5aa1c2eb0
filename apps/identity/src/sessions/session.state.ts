import type { AuthMethod } from '#contracts';
import type { SessionContext, SessionRevocationReason } from './session.events.js';

/** What a started session is, folded from its events. Plain JSON (it is snapshotted). */
export type SessionFacts = {
  readonly sessionId: string;
  readonly userId: string;
  readonly orgId: string;
  readonly roles: readonly string[];
  readonly amr: readonly AuthMethod[];
  readonly authenticatedAt: string;
  readonly startedAt: string;
  readonly expiresAt: string;
  readonly lastRefreshedAt: string | null;
  /** Where it was last used from: its start or its last refresh. */
  readonly context: SessionContext;
  readonly refreshTokenHash: string;
  readonly refreshTokenExpiresAt: string;
  /** Every refresh token rotated away: presenting one of them is a replay. */
  readonly spentRefreshTokenHashes: readonly string[];
};

export type SessionState =
  | { readonly status: 'none' }
  | ({ readonly status: 'active' } & SessionFacts)
  | ({
      readonly status: 'revoked';
      readonly revokedAt: string;
      readonly reason: SessionRevocationReason;
    } & SessionFacts);

/** Active, and its refresh token not expired at `now`. */
export const isUsable = (state: SessionState, now: Date): state is { status: 'active' } & SessionFacts =>
  state.status === 'active' && now.getTime() < Date.parse(state.refreshTokenExpiresAt);
