import { requestContext, withRequestContext } from '#observability';

/**
 * What every appended event's metadata says about the work that appended it
 * (`requestContext`, carried from the request envelope or the integration
 * event a process manager reacts to), the way deciders never see it:
 * - `correlationId`: the client request the whole chain started with (the
 *   gateway's `X-Request-Id`), so one login can be followed through every
 *   service's logs and every event it caused;
 * - `causationId`: the message that caused this append: the request's id, or
 *   the id of the integration event a reaction handled;
 * - `actingSessionId`: the session the request was made in (the access
 *   token's `sid`). Published with the event, it tells a reaction which of
 *   the user's sessions made the change (a password or MFA change revokes the
 *   user's *other* sessions).
 */
export const ACTING_SESSION_METADATA = 'actingSessionId';
export const CORRELATION_ID_METADATA = 'correlationId';
export const CAUSATION_ID_METADATA = 'causationId';

/** Runs `work` for a request made in `sessionId` (none: `work` as is). */
export const withActingSession = <T>(sessionId: string | undefined, work: () => T): T =>
  sessionId === undefined ? work() : withRequestContext({ actingSessionId: sessionId }, work);

/** The metadata every event appended now carries: what of the request context there is. */
export function requestMetadata(): Record<string, string> | undefined {
  const { correlationId, causationId, actingSessionId } = requestContext();
  if (correlationId === undefined && causationId === undefined && actingSessionId === undefined) return undefined;
  return {
    ...(actingSessionId !== undefined ? { [ACTING_SESSION_METADATA]: actingSessionId } : {}),
    ...(correlationId !== undefined ? { [CORRELATION_ID_METADATA]: correlationId } : {}),
    ...(causationId !== undefined ? { [CAUSATION_ID_METADATA]: causationId } : {}),
  };
}
