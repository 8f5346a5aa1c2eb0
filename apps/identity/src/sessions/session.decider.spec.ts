import { describe, expect, it } from 'vitest';
import { deciderSpec } from '#testing';
import type { SessionCommand } from './session.commands.js';
import { sessionDecider } from './session.decider.js';
import { InvalidRefreshToken, SessionAlreadyExists, SessionNotFound } from './session.errors.js';
import {
  sessionStream,
  type SessionEvent,
  type SessionRefreshed,
  type SessionRevoked,
  type SessionStarted,
} from './session.events.js';

const { given } = deciderSpec(sessionDecider({ idleSeconds: 3600, maxSeconds: 4 * 3600 }));

const T0 = new Date('2025-06-02T10:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
const iso = (seconds: number): string => at(seconds).toISOString();
const OFFICE = { ip: '203.0.113.7', userAgent: 'vitest' };
const TRAIN = { ip: '2001:db8::7', userAgent: 'vitest mobile' };

const start: SessionCommand = {
  type: 'StartSession',
  data: {
    sessionId: 's1',
    userId: 'u1',
    orgId: 'o1',
    roles: ['accounting'],
    amr: ['pwd', 'otp'],
    authenticatedAt: at(-2),
    refreshTokenHash: 'hash-0',
    context: OFFICE,
    now: T0,
  },
};
const started: SessionStarted = {
  type: 'SessionStarted',
  data: {
    sessionId: 's1',
    userId: 'u1',
    orgId: 'o1',
    roles: ['accounting'],
    amr: ['pwd', 'otp'],
    authenticatedAt: iso(-2),
    startedAt: iso(0),
    expiresAt: iso(4 * 3600),
    refreshTokenHash: 'hash-0',
    refreshTokenExpiresAt: iso(3600),
    context: OFFICE,
  },
};
const refresh = (presentedHash: string, refreshTokenHash: string, seconds: number): SessionCommand => ({
  type: 'RefreshSession',
  data: { presentedHash, refreshTokenHash, context: TRAIN, now: at(seconds) },
});
const refreshed = (refreshTokenHash: string, seconds: number, expiresIn = 3600): SessionRefreshed => ({
  type: 'SessionRefreshed',
  data: {
    sessionId: 's1',
    refreshedAt: iso(seconds),
    refreshTokenHash,
    refreshTokenExpiresAt: iso(seconds + expiresIn),
    context: TRAIN,
  },
});
const revoked = (reason: SessionRevoked['data']['reason'], seconds: number): SessionRevoked => ({
  type: 'SessionRevoked',
  data: { sessionId: 's1', userId: 'u1', revokedAt: iso(seconds), reason },
});
const end = (presentedHash: string, seconds: number): SessionCommand => ({
  type: 'EndSession',
  data: { presentedHash, now: at(seconds) },
});
const revoke = (userId: string, seconds: number): SessionCommand => ({
  type: 'RevokeSession',
  data: { userId, reason: 'revoked_by_user', now: at(seconds) },
});

describe('Session decider', () => {
  it('names the stream after the session', () => {
    expect(sessionStream('s1')).toBe('session-s1');
  });

  describe('StartSession', () => {
    it('starts a session with its claims, the hash of its first refresh token and both its ends', () => {
      given().when(start).then([started]);
    });

    it('lets the first refresh token expire with the session when the session ends sooner', () => {
      const { given: givenShort } = deciderSpec(sessionDecider({ idleSeconds: 3600, maxSeconds: 600 }));
      expect(givenShort().when(start).events()[0]?.data).toMatchObject({
        expiresAt: iso(600),
        refreshTokenExpiresAt: iso(600),
      });
    });

    it('takes the same start again (a retried request) as done: nothing new', () => {
      given(started).when(start).thenNothingHappened();
    });

    it('refuses an id taken by another start, by another user, or by a session since refreshed or revoked (a defect, not a user error)', () => {
      const other = { ...start, data: { ...start.data, refreshTokenHash: 'another-hash' } };
      given(started).when(other).thenThrows(SessionAlreadyExists, 'internal_error');
      given(started)
        .when({ ...start, data: { ...start.data, userId: 'u2' } })
        .thenThrows(SessionAlreadyExists, 'internal_error');
      given(started, refreshed('hash-1', 300)).when(start).thenThrows(SessionAlreadyExists, 'internal_error');
      given(started, revoked('logout', 300)).when(start).thenThrows(SessionAlreadyExists, 'internal_error');
    });
  });

  describe('RefreshSession', () => {
    it('rotates the refresh token: a new hash, good for the idle time from now, and where it was used from', () => {
      given(started)
        .when(refresh('hash-0', 'hash-1', 300))
        .then([refreshed('hash-1', 300)]);
    });

    it('rotates again with the token it was given last', () => {
      given(started, refreshed('hash-1', 300))
        .when(refresh('hash-1', 'hash-2', 600))
        .then([refreshed('hash-2', 600)]);
    });

    it('never lets a refresh token outlive the session', () => {
      given(started, refreshed('hash-1', 3000), refreshed('hash-2', 6000), refreshed('hash-3', 9000))
        .when(refresh('hash-3', 'hash-4', 12_000))
        .then([refreshed('hash-4', 12_000, 4 * 3600 - 12_000)]);
    });

    describe('replay detection', () => {
      it('revokes the whole session when a spent refresh token comes back', () => {
        given(started, refreshed('hash-1', 300))
          .when(refresh('hash-0', 'hash-x', 400))
          .then([revoked('refresh_token_reused', 400)]);
      });

      it('takes the last rotation asked for again, to the token it made, as done (a request delivered twice)', () => {
        given(started, refreshed('hash-1', 300), refreshed('hash-2', 600))
          .when(refresh('hash-1', 'hash-2', 700))
          .thenNothingHappened();
        // An earlier rotation repeated, or the last one to another token, is a replay.
        given(started, refreshed('hash-1', 300), refreshed('hash-2', 600))
          .when(refresh('hash-0', 'hash-1', 700))
          .then([revoked('refresh_token_reused', 700)]);
        given(started, refreshed('hash-1', 300), refreshed('hash-2', 600))
          .when(refresh('hash-1', 'hash-x', 700))
          .then([revoked('refresh_token_reused', 700)]);
      });

      it('revokes it for any spent token, the first as much as the last one rotated', () => {
        const history = [started, refreshed('hash-1', 300), refreshed('hash-2', 600), refreshed('hash-3', 900)];
        for (const spent of ['hash-0', 'hash-1', 'hash-2']) {
          given(...history)
            .when(refresh(spent, 'hash-x', 1000))
            .then([revoked('refresh_token_reused', 1000)]);
        }
      });

      it('then refuses the current token too: the legitimate holder signs in again', () => {
        given(started, refreshed('hash-1', 300), revoked('refresh_token_reused', 400))
          .when(refresh('hash-1', 'hash-2', 500))
          .thenThrows(InvalidRefreshToken, 'invalid_refresh_token');
      });

      it('records the replay once: a revoked session answers a spent token with a refusal alone', () => {
        given(started, refreshed('hash-1', 300), revoked('refresh_token_reused', 400))
          .when(refresh('hash-0', 'hash-x', 500))
          .thenThrows(InvalidRefreshToken, 'invalid_refresh_token');
      });
    });

    it('refuses, recording nothing, a token that is none of the session (forged, or of another session)', () => {
      given(started)
        .when(refresh('hash-forged', 'hash-1', 300))
        .thenThrows(InvalidRefreshToken);
    });

    it('refuses an unknown session', () => {
      given()
        .when(refresh('hash-0', 'hash-1', 300))
        .thenThrows(InvalidRefreshToken, 'invalid_refresh_token');
    });

    it('accepts the token until its idle time is over, not a second longer', () => {
      given(started)
        .when(refresh('hash-0', 'hash-1', 3599))
        .then([refreshed('hash-1', 3599)]);
      given(started)
        .when(refresh('hash-0', 'hash-1', 3600))
        .thenThrows(InvalidRefreshToken);
    });

    it.each(['logout', 'revoked_by_user', 'password_changed', 'mfa_reset'] as const)(
      'refuses the current token of a session revoked (%s)',
      (reason) => {
        given(started, revoked(reason, 100))
          .when(refresh('hash-0', 'hash-1', 200))
          .thenThrows(InvalidRefreshToken);
      },
    );
  });

  describe('EndSession (logout)', () => {
    it('ends the session of its current refresh token', () => {
      given(started)
        .when(end('hash-0', 60))
        .then([revoked('logout', 60)]);
    });

    it('ends it with an expired token too: leaving needs no fresh token', () => {
      given(started)
        .when(end('hash-0', 7200))
        .then([revoked('logout', 7200)]);
    });

    it('ends it as a replay when the token was spent', () => {
      given(started, refreshed('hash-1', 300))
        .when(end('hash-0', 400))
        .then([revoked('refresh_token_reused', 400)]);
    });

    it('changes nothing for a session already ended', () => {
      given(started, revoked('logout', 60)).when(end('hash-0', 120)).thenNothingHappened();
    });

    it('refuses a token that is none of the session, and an unknown session', () => {
      given(started).when(end('hash-forged', 60)).thenThrows(InvalidRefreshToken);
      given().when(end('hash-0', 60)).thenThrows(InvalidRefreshToken);
    });
  });

  describe('RevokeSession', () => {
    it('revokes a session of its user, with the reason', () => {
      given(started)
        .when(revoke('u1', 60))
        .then([revoked('revoked_by_user', 60)]);
      given(started)
        .when({ type: 'RevokeSession', data: { userId: 'u1', reason: 'mfa_activated', now: at(60) } })
        .then([revoked('mfa_activated', 60)]);
    });

    it('changes nothing for a session already revoked (a redelivered revocation)', () => {
      given(started, revoked('logout', 30)).when(revoke('u1', 60)).thenNothingHappened();
    });

    it("answers not_found for another user's session and for an unknown one", () => {
      given(started).when(revoke('u2', 60)).thenThrows(SessionNotFound, 'not_found');
      given().when(revoke('u1', 60)).thenThrows(SessionNotFound, 'not_found');
    });
  });

  describe('evolve', () => {
    it('keeps every rotated hash as spent, the newest as current, and where it was last used', () => {
      const state = given(started, refreshed('hash-1', 300))
        .when(refresh('hash-1', 'hash-2', 600))
        .state();
      expect(state).toMatchObject({
        status: 'active',
        refreshTokenHash: 'hash-2',
        spentRefreshTokenHashes: ['hash-0', 'hash-1'],
        lastRefreshedAt: iso(600),
        context: TRAIN,
        authenticatedAt: iso(-2),
      });
    });

    it('keeps the facts of a revoked session, with why and when', () => {
      const events: SessionEvent[] = [started, revoked('logout', 60)];
      expect(events.reduce(sessionDecider().evolve, sessionDecider().initialState())).toMatchObject({
        status: 'revoked',
        reason: 'logout',
        revokedAt: iso(60),
        userId: 'u1',
      });
    });
  });
});
