import { describe, expect, it } from 'vitest';
import { deciderSpec } from '#testing';
import type { UserSessionsCommand } from './user-sessions.commands.js';
import { sessionsToRevoke, userSessionsDecider } from './user-sessions.decider.js';
import { StaleSignIn } from './user-sessions.errors.js';
import { userSessionsStream, type UserSessionListed, type UserSessionsRevoked } from './user-sessions.events.js';

const { given } = deciderSpec(userSessionsDecider);

const T0 = new Date('2025-06-02T10:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
const iso = (seconds: number): string => at(seconds).toISOString();

const list = (sessionId: string, signedInAt: number, now = signedInAt + 1): UserSessionsCommand => ({
  type: 'ListSession',
  data: { userId: 'u1', sessionId, authenticatedAt: at(signedInAt), now: at(now) },
});
const listed = (sessionId: string, signedInAt: number, now = signedInAt + 1): UserSessionListed => ({
  type: 'UserSessionListed',
  data: { userId: 'u1', sessionId, authenticatedAt: iso(signedInAt), listedAt: iso(now) },
});
const revoke = (before: number, exceptSessionId: string | null, now = before + 1): UserSessionsCommand => ({
  type: 'RevokeUserSessions',
  data: { userId: 'u1', before: at(before), exceptSessionId, reason: 'password_changed', now: at(now) },
});
const revokedAll = (before: number, exceptSessionId: string | null, now = before + 1): UserSessionsRevoked => ({
  type: 'UserSessionsRevoked',
  data: { userId: 'u1', before: iso(before), exceptSessionId, reason: 'password_changed', revokedAt: iso(now) },
});

describe('UserSessions decider (the index of a user’s sessions)', () => {
  it('names the stream after the user, apart from the user stream', () => {
    expect(userSessionsStream('u1')).toBe('user_sessions-u1');
  });

  describe('ListSession', () => {
    it('lists a new session with when its sign-in began', () => {
      given(listed('s1', 0))
        .when(list('s2', 100))
        .then([listed('s2', 100)]);
    });

    it('lists a session once', () => {
      given(listed('s1', 0))
        .when(list('s1', 0, 5))
        .thenNothingHappened();
    });

    it('refuses a sign-in begun before a revocation of the user’s sessions (it proved what no longer counts)', () => {
      given(listed('s1', 0), revokedAll(50, 's1'))
        .when(list('s2', 49, 52))
        .thenThrows(StaleSignIn, 'invalid_credentials');
    });

    it('lists one begun at or after the revocation', () => {
      given(revokedAll(50, null))
        .when(list('s2', 50))
        .then([listed('s2', 50)]);
    });
  });

  describe('RevokeUserSessions', () => {
    it('records the revocation: before when, except which session, and why', () => {
      given(listed('s1', 0), listed('s2', 10))
        .when(revoke(60, 's2'))
        .then([revokedAll(60, 's2')]);
    });

    it('records nothing for a revocation already recorded (a redelivered event) or superseded by a later one', () => {
      given(revokedAll(60, 's2'))
        .when(revoke(60, 's2', 90))
        .thenNothingHappened();
      given(revokedAll(60, 's2'))
        .when(revoke(30, null, 90))
        .thenNothingHappened();
    });
  });

  describe('sessionsToRevoke', () => {
    const state = given(listed('s1', 0), listed('s2', 10), listed('s3', 70)).when(revoke(60, 's2')).state();

    it('is every session signed in before the change except the one it was made in', () => {
      expect(sessionsToRevoke(state, at(60), 's2').map((session) => session.sessionId)).toEqual(['s1']);
    });

    it('is all of them signed in before it when the change was made in none of them (an admin’s reset)', () => {
      expect(sessionsToRevoke(state, at(60), null).map((session) => session.sessionId)).toEqual(['s1', 's2']);
    });

    it('is the same on a redelivery, however late: sessions signed in after the change stay', () => {
      const later = given(listed('s1', 0), listed('s2', 10), revokedAll(60, 's2'), listed('s4', 5000))
        .when(revoke(60, 's2', 6000))
        .state();
      expect(sessionsToRevoke(later, at(60), 's2').map((session) => session.sessionId)).toEqual(['s1']);
    });
  });

  describe('evolve', () => {
    it('forgets sessions listed longer ago than any session lasts', () => {
      const week = 7 * 24 * 3600;
      const state = [listed('old', 0), listed('recent', week - 10), listed('new', week + 100)].reduce(
        userSessionsDecider.evolve,
        userSessionsDecider.initialState(),
      );
      expect(state.sessions.map((session) => session.sessionId)).toEqual(['recent', 'new']);
    });

    it('keeps the latest revocation instant', () => {
      const state = [revokedAll(60, null), revokedAll(120, 's1')].reduce(
        userSessionsDecider.evolve,
        userSessionsDecider.initialState(),
      );
      expect(state.revokedBefore).toBe(iso(120));
    });
  });
});
