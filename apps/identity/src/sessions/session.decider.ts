import { assertNever } from '#contracts';
import type { Decider } from '#event-store';
import type { SessionCommand } from './session.commands.js';
import { InvalidRefreshToken, SessionAlreadyExists, SessionNotFound } from './session.errors.js';
import type { SessionEvent, SessionRevoked } from './session.events.js';
import type { SessionFacts, SessionState } from './session.state.js';

export interface SessionLifetime {
  /** A refresh token not used for this long expires (each refresh issues one good for this long again). */
  readonly idleSeconds: number;
  /** However it is refreshed, a session ends this long after its start: then the user signs in again. */
  readonly maxSeconds: number;
}

/** A day without use, a week at most: the MFA login is not repeated more often than weekly on a device in use. */
export const DEFAULT_SESSION_LIFETIME: SessionLifetime = { idleSeconds: 24 * 3600, maxSeconds: 7 * 24 * 3600 };

const later = (instant: Date, seconds: number): Date => new Date(instant.getTime() + seconds * 1000);
const earliest = (...instants: Date[]): Date => new Date(Math.min(...instants.map((instant) => instant.getTime())));

/** Which of the session's refresh tokens a hash is: the current one, a spent one, or none of them. */
function tokenOf(state: SessionFacts, presentedHash: string): 'current' | 'spent' | 'unknown' {
  if (presentedHash === state.refreshTokenHash) return 'current';
  return state.spentRefreshTokenHashes.includes(presentedHash) ? 'spent' : 'unknown';
}

function revoked(state: SessionFacts, reason: SessionRevoked['data']['reason'], now: Date): SessionRevoked {
  return {
    type: 'SessionRevoked',
    data: { sessionId: state.sessionId, userId: state.userId, revokedAt: now.toISOString(), reason },
  };
}

/**
 * A session: refresh tokens rotated on every use, with replay detection (a
 * spent token presented again revokes the session: either the client or
 * someone who copied its token is not its owner, and there is no telling
 * which). Pure: hashes and `now` come with the command.
 */
export const sessionDecider = (lifetime: SessionLifetime = DEFAULT_SESSION_LIFETIME) =>
  ({
    initialState: (): SessionState => ({ status: 'none' }),

    decide(command: SessionCommand, state: SessionState): SessionEvent[] {
      switch (command.type) {
        case 'StartSession': {
          const { now, authenticatedAt, refreshTokenHash, ...session } = command.data;
          // The same start again (a retried request): nothing new, the session as it is.
          if (
            state.status === 'active' &&
            state.userId === session.userId &&
            state.refreshTokenHash === refreshTokenHash
          )
            return [];
          if (state.status !== 'none') throw new SessionAlreadyExists();
          const expiresAt = later(now, lifetime.maxSeconds);
          return [
            {
              type: 'SessionStarted',
              data: {
                ...session,
                authenticatedAt: authenticatedAt.toISOString(),
                startedAt: now.toISOString(),
                expiresAt: expiresAt.toISOString(),
                refreshTokenHash,
                refreshTokenExpiresAt: earliest(later(now, lifetime.idleSeconds), expiresAt).toISOString(),
              },
            },
          ];
        }
        case 'RefreshSession': {
          const { presentedHash, refreshTokenHash, context, now } = command.data;
          if (state.status === 'none') throw new InvalidRefreshToken();
          const token = tokenOf(state, presentedHash);
          if (token === 'unknown' || state.status === 'revoked') throw new InvalidRefreshToken();
          // The last rotation asked for again, to the very token it made (a request delivered twice):
          // done already. Only the gateway that made that token knows its hash; a replay cannot name it.
          if (refreshTokenHash === state.refreshTokenHash && presentedHash === state.spentRefreshTokenHashes.at(-1))
            return [];
          // Spent: the refresh is refused by the handler after this revocation is recorded.
          if (token === 'spent') return [revoked(state, 'refresh_token_reused', now)];
          if (now.getTime() >= Date.parse(state.refreshTokenExpiresAt)) throw new InvalidRefreshToken();
          const expiresAt = earliest(later(now, lifetime.idleSeconds), new Date(state.expiresAt));
          return [
            {
              type: 'SessionRefreshed',
              data: {
                sessionId: state.sessionId,
                refreshedAt: now.toISOString(),
                refreshTokenHash,
                refreshTokenExpiresAt: expiresAt.toISOString(),
                context,
              },
            },
          ];
        }
        case 'EndSession': {
          const { presentedHash, now } = command.data;
          if (state.status === 'none') throw new InvalidRefreshToken();
          const token = tokenOf(state, presentedHash);
          if (token === 'unknown') throw new InvalidRefreshToken();
          if (state.status === 'revoked') return [];
          // A spent token ends the session all the same, as the replay it is.
          return [revoked(state, token === 'current' ? 'logout' : 'refresh_token_reused', now)];
        }
        case 'RevokeSession': {
          const { userId, reason, now } = command.data;
          if (state.status === 'none' || state.userId !== userId) throw new SessionNotFound();
          return state.status === 'revoked' ? [] : [revoked(state, reason, now)];
        }
        default:
          return assertNever(command);
      }
    },

    evolve(state: SessionState, event: SessionEvent): SessionState {
      switch (event.type) {
        case 'SessionStarted': {
          const { startedAt, ...facts } = event.data;
          return { status: 'active', ...facts, startedAt, lastRefreshedAt: null, spentRefreshTokenHashes: [] };
        }
        case 'SessionRefreshed': {
          if (state.status === 'none') return state;
          const { refreshedAt, refreshTokenHash, refreshTokenExpiresAt, context } = event.data;
          return {
            ...state,
            lastRefreshedAt: refreshedAt,
            context,
            refreshTokenHash,
            refreshTokenExpiresAt,
            spentRefreshTokenHashes: [...state.spentRefreshTokenHashes, state.refreshTokenHash],
          };
        }
        case 'SessionRevoked': {
          if (state.status === 'none') return state;
          const { revokedAt, reason } = event.data;
          return { ...state, status: 'revoked', revokedAt, reason };
        }
        default:
          return assertNever(event);
      }
    },
  }) satisfies Decider<SessionCommand, SessionEvent, SessionState>;
