import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The session a request was made in (the `sid` of the access token the gateway
 * acted for), carried from the request's envelope to every event the request
 * appends, as metadata (`actingSessionId`), the way correlation ids travel:
 * deciders never see it. Published with the event, it tells a reaction which
 * of the user's sessions made the change (a password or MFA change revokes
 * the user's *other* sessions).
 */
const actingSessions = new AsyncLocalStorage<string>();

export const ACTING_SESSION_METADATA = 'actingSessionId';

/** Runs `work` for a request made in `sessionId` (none: `work` as is). */
export const withActingSession = <T>(sessionId: string | undefined, work: () => T): T =>
  sessionId === undefined ? work() : actingSessions.run(sessionId, work);

/** The metadata every event appended now carries: the acting session, if any. */
export function actingSessionMetadata(): Record<string, string> | undefined {
  const sessionId = actingSessions.getStore();
  return sessionId === undefined ? undefined : { [ACTING_SESSION_METADATA]: sessionId };
}
