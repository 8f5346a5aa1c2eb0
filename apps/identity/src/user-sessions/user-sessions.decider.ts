import { assertNever } from '#contracts';
import type { Decider } from '#event-store';
import { DEFAULT_SESSION_LIFETIME } from '../sessions/session.decider.js';
import type { UserSessionsCommand } from './user-sessions.commands.js';
import { StaleSignIn } from './user-sessions.errors.js';
import type { UserSessionsEvent } from './user-sessions.events.js';

export type ListedSession = { readonly sessionId: string; readonly authenticatedAt: string; readonly listedAt: string };

export type UserSessionsState = {
  /** Newest last; a session listed longer ago than a session can last is dropped (it has ended). */
  readonly sessions: readonly ListedSession[];
  /** The latest revocation's instant: no session may be listed for a sign-in begun before it. */
  readonly revokedBefore: string | null;
};

const before = (a: string, b: string): boolean => Date.parse(a) < Date.parse(b);

/** The listed sessions a revocation at `revokedBefore` ends: signed in before it, except `exceptSessionId`. */
export function sessionsToRevoke(
  state: UserSessionsState,
  revokedBefore: Date,
  exceptSessionId: string | null,
): ListedSession[] {
  return state.sessions.filter(
    (session) => session.sessionId !== exceptSessionId && Date.parse(session.authenticatedAt) < revokedBefore.getTime(),
  );
}

export const userSessionsDecider = {
  initialState: (): UserSessionsState => ({ sessions: [], revokedBefore: null }),

  decide(command: UserSessionsCommand, state: UserSessionsState): UserSessionsEvent[] {
    switch (command.type) {
      case 'ListSession': {
        const { userId, sessionId, authenticatedAt, now } = command.data;
        const signedInAt = authenticatedAt.toISOString();
        if (state.revokedBefore && before(signedInAt, state.revokedBefore)) throw new StaleSignIn();
        if (state.sessions.some((session) => session.sessionId === sessionId)) return [];
        return [
          {
            type: 'UserSessionListed',
            data: { userId, sessionId, authenticatedAt: signedInAt, listedAt: now.toISOString() },
          },
        ];
      }
      case 'RevokeUserSessions': {
        const { userId, exceptSessionId, reason, now } = command.data;
        const revokedBefore = command.data.before.toISOString();
        // Already recorded (a redelivered event), or superseded by a later revocation.
        if (state.revokedBefore && !before(state.revokedBefore, revokedBefore)) return [];
        return [
          {
            type: 'UserSessionsRevoked',
            data: { userId, before: revokedBefore, exceptSessionId, reason, revokedAt: now.toISOString() },
          },
        ];
      }
      default:
        return assertNever(command);
    }
  },

  evolve(state: UserSessionsState, event: UserSessionsEvent): UserSessionsState {
    switch (event.type) {
      case 'UserSessionListed': {
        const { sessionId, authenticatedAt, listedAt } = event.data;
        const ended = Date.parse(listedAt) - DEFAULT_SESSION_LIFETIME.maxSeconds * 1000;
        return {
          ...state,
          sessions: [
            ...state.sessions.filter((session) => Date.parse(session.listedAt) > ended),
            { sessionId, authenticatedAt, listedAt },
          ],
        };
      }
      case 'UserSessionsRevoked':
        return { ...state, revokedBefore: event.data.before };
      default:
        return assertNever(event);
    }
  },
} satisfies Decider<UserSessionsCommand, UserSessionsEvent, UserSessionsState>;
