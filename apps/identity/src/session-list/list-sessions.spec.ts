import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SessionRpc, type UserView } from '#contracts';
import type { ServiceUnderTest } from '#testing';
import { startIdentityWithOperator } from '../identity.testing.js';
import { DEVICE, refreshed, signedIn } from '../sessions/sessions.testing.js';

const PHONE = { ip: '2001:db8::42', userAgent: 'spec-phone/2.0' };

describe('identity.list-sessions', () => {
  let identity: ServiceUnderTest;
  let operator: UserView;
  const list = async () => (await identity.ok(SessionRpc.listSessions, { userId: operator.id })).sessions;

  beforeEach(async () => {
    ({ identity, operator } = await startIdentityWithOperator({ now: new Date('2031-05-06T07:00:00.000Z') }));
  });
  afterEach(() => identity.close({ removeData: true }));

  it('lists the sessions that can still be refreshed, newest first, where each was last used from', async () => {
    const first = await signedIn(identity, operator.id);
    identity.clock.advanceSeconds(60);
    const second = await signedIn(identity, operator.id);
    identity.clock.advanceSeconds(60);
    expect((await refreshed(identity, first.refreshToken, PHONE)).ok).toBe(true);

    expect(await list()).toEqual([
      {
        id: second.sessionId,
        startedAt: '2031-05-06T07:01:00.000Z',
        lastRefreshedAt: null,
        ip: DEVICE.ip,
        userAgent: DEVICE.userAgent,
        expiresAt: '2031-05-13T07:01:00.000Z',
      },
      {
        id: first.sessionId,
        startedAt: '2031-05-06T07:00:00.000Z',
        lastRefreshedAt: '2031-05-06T07:02:00.000Z',
        ip: PHONE.ip,
        userAgent: PHONE.userAgent,
        expiresAt: '2031-05-13T07:00:00.000Z',
      },
    ]);
  });

  it('leaves out revoked sessions and those whose refresh token expired', async () => {
    const revoked = await signedIn(identity, operator.id);
    await identity.ok(SessionRpc.revokeSession, { userId: operator.id, sessionId: revoked.sessionId });
    await signedIn(identity, operator.id);
    identity.clock.advanceSeconds(12 * 3600);
    const recent = await signedIn(identity, operator.id);
    identity.clock.advanceSeconds(13 * 3600);

    expect((await list()).map((session) => session.id)).toEqual([recent.sessionId]);
  });

  it('is empty for a user without sessions', async () => {
    expect(await identity.ok(SessionRpc.listSessions, { userId: 'nobody' })).toEqual({ sessions: [] });
  });
});
