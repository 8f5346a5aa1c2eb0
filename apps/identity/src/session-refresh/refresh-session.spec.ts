import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SessionRpc, type SessionTokens, type UserView } from '#contracts';
import type { ServiceUnderTest } from '#testing';
import { startIdentityWithOperator } from '../identity.testing.js';
import { signedIn } from '../sessions/sessions.testing.js';

const PHONE = { ip: '2001:db8::42', userAgent: 'spec-phone/2.0' };

describe('identity.refresh-session', () => {
  let identity: ServiceUnderTest;
  let operator: UserView;
  let session: SessionTokens;

  const refresh = (refreshToken: string) => identity.call(SessionRpc.refreshSession, { refreshToken, context: PHONE });

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
    const rotated = await identity.ok(SessionRpc.refreshSession, {
      refreshToken: session.refreshToken,
      context: PHONE,
    });

    expect(await refresh(session.refreshToken)).toMatchObject({ ok: false, error: { code: 'invalid_refresh_token' } });
    expect(await refresh(rotated.refreshToken)).toMatchObject({ ok: false, error: { code: 'invalid_refresh_token' } });
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

  it('answers invalid_payload for what is no refresh token', async () => {
    for (const refreshToken of ['', 'no-dot', `${session.sessionId}.short`, `../x.${'A'.repeat(43)}`]) {
      expect(await refresh(refreshToken)).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    }
  });

  it('never logs a refresh token', async () => {
    const rotated = await identity.ok(SessionRpc.refreshSession, {
      refreshToken: session.refreshToken,
      context: PHONE,
    });
    await refresh(session.refreshToken);
    for (const token of [session.refreshToken, rotated.refreshToken]) {
      expect(identity.logs()).not.toContain(token.split('.')[1]);
    }
  });
});
