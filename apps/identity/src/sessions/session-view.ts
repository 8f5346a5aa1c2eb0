import type { SessionGrant, SessionView } from '#contracts';
import type { SessionFacts } from './session.state.js';

/** What a reply says about a session: its claims and its refresh token's expiry, never a hash. */
export const toSessionGrant = (session: SessionFacts): SessionGrant => ({
  sessionId: session.sessionId,
  userId: session.userId,
  orgId: session.orgId,
  roles: [...session.roles],
  amr: [...session.amr],
  authenticatedAt: session.authenticatedAt,
  refreshTokenExpiresAt: session.refreshTokenExpiresAt,
});

/** How a session is shown in its user's list. */
export const toSessionView = (session: SessionFacts): SessionView => ({
  id: session.sessionId,
  startedAt: session.startedAt,
  lastRefreshedAt: session.lastRefreshedAt,
  ip: session.context.ip,
  userAgent: session.context.userAgent,
  expiresAt: session.expiresAt,
});
