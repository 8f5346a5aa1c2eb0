import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mintRefreshToken, refreshTokenHashOf, SessionRpc, type UserView } from '#contracts';
import type { ServiceUnderTest } from '#testing';
import { startIdentityWithOperator } from '../identity.testing.js';
import { refreshed, signedIn, type HeldSession } from '../sessions/sessions.testing.js';

const PHONE = { ip: '2001:db8::42', userAgent: 'spec-phone/2.0' };

describe('identity.refresh-session', () => {
  let identity: ServiceUnderTest;
  let operator: UserView;
  let session: HeldSession;

  const refresh = (refreshToken: string) => refreshed(identity, refreshToken, PHONE);

  beforeEach(async () => {
    ({ identity, operator } = await startIdentityWithOperator({ now: new Date('2031-05-06T07:00:00.000Z') }));
    session = await signedIn(identity, operator.id, { secondsAgo: 30 });
  });
  afterEach(() => identity.close({ removeData: true }));

  it('rotates the refresh token, keeping the claims and when the user signed in', async () => {
    identity.clock.advanceSeconds(300);

    const rotated = await refresh(session.refreshToken);

    expect(rotated).toEqual({
      ok: true,
      value: {
        ...session,
        refreshToken: expect.stringMatching(new RegExp(`^${session.sessionId}\\.`)),
        refreshTokenExpiresAt: '2031-05-07T07:05:00.000Z',
      },
    });
    expect(rotated.ok && rotated.value.refreshToken).not.toBe(session.refreshToken);
  });

  it('detects a replay: a spent refresh token revokes the session, and the current one stops working', async () => {
    const rotated = await refresh(session.refreshToken);
    if (!rotated.ok) throw new Error('the first refresh was refused');

    expect(await refresh(session.refreshToken)).toMatchObject({ ok: false, error: { code: 'invalid_refresh_token' } });
    expect(await refresh(rotated.value.refreshToken)).toMatchObject({
      ok: false,
      error: { code: 'invalid_refresh_token' },
    });
    const events = await identity.store.read(`session-${session.sessionId}`);
    expect(events.map((event) => [event.type, event.data['reason']])).toEqual([
      ['SessionStarted', undefined],
      ['SessionRefreshed', undefined],
      ['SessionRevoked', 'refresh_token_reused'],
    ]);
  });

  it('lets exactly one of two refreshes with the same token through, and then the session is over', async () => {
    const results = await Promise.all([refresh(session.refreshToken), refresh(session.refreshToken)]);

    expect(results.filter((result) => result.ok)).toHaveLength(1);
    const winner = results.find((result) => result.ok);
    expect(await refresh(winner?.ok ? winner.value.refreshToken : '')).toMatchObject({ ok: false });
  });

  it('refuses an expired refresh token, a forged one and one of an unknown session', async () => {
    const [sessionId] = session.refreshToken.split('.');
    identity.clock.advanceSeconds(24 * 3600);
    expect(await refresh(session.refreshToken)).toMatchObject({ ok: false, error: { code: 'invalid_refresh_token' } });
    expect(await refresh(`${sessionId}.${'A'.repeat(43)}`)).toMatchObject({
      ok: false,
      error: { code: 'invalid_refresh_token' },
    });
    expect(await refresh(`${crypto.randomUUID()}.${'A'.repeat(43)}`)).toMatchObject({
      ok: false,
      error: { code: 'invalid_refresh_token' },
    });
    expect((await identity.store.read(`session-${session.sessionId}`)).map((event) => event.type)).toEqual([
      'SessionStarted',
    ]);
  });

  it('answers invalid_payload for what is no session id or hash, and for a refresh token sent instead of its hash', async () => {
    const next = mintRefreshToken(session.sessionId).refreshTokenHash;
    const presented = refreshTokenHashOf(session.refreshToken);
    for (const request of [
      { sessionId: '', presentedHash: presented, refreshTokenHash: next },
      { sessionId: '../x', presentedHash: presented, refreshTokenHash: next },
      { sessionId: session.sessionId, presentedHash: session.refreshToken, refreshTokenHash: next },
      { sessionId: session.sessionId, presentedHash: presented, refreshTokenHash: 'short' },
      { sessionId: session.sessionId, presentedHash: presented },
    ]) {
      expect(await identity.call(SessionRpc.refreshSession, { ...request, context: PHONE })).toMatchObject({
        ok: false,
        error: { code: 'invalid_payload' },
      });
    }
    expect((await identity.store.read(`session-${session.sessionId}`)).map((event) => event.type)).toEqual([
      'SessionStarted',
    ]);
  });
});
