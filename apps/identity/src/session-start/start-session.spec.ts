import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mintRefreshToken, refreshTokenHashOf, SessionRpc, type UserView } from '#contracts';
import type { ServiceUnderTest } from '#testing';
import { allEvents, startIdentityWithOperator } from '../identity.testing.js';
import { DEVICE, published, signedIn } from '../sessions/sessions.testing.js';

/** The session id and refresh token hash the gateway chooses for a sign-in. */
const chosenByGateway = () => {
  const { sessionId, refreshTokenHash } = mintRefreshToken();
  return { sessionId, refreshTokenHash };
};

describe('identity.start-session', () => {
  let identity: ServiceUnderTest;
  let operator: UserView;

  beforeEach(async () => {
    ({ identity, operator } = await startIdentityWithOperator({ now: new Date('2031-05-06T07:08:09.000Z') }));
  });
  afterEach(() => identity.close({ removeData: true }));

  it("starts the gateway's session with the user's claims from identity's own events, answering no token", async () => {
    const chosen = chosenByGateway();
    const request = {
      ...chosen,
      userId: operator.id,
      amr: ['pwd', 'otp'],
      authenticatedAt: '2031-05-06T07:08:07.000Z',
      context: DEVICE,
    };

    const grant = await identity.ok(SessionRpc.startSession, request);

    expect(grant).toEqual({
      sessionId: chosen.sessionId,
      userId: operator.id,
      orgId: operator.orgId,
      roles: ['admin'],
      amr: ['pwd', 'otp'],
      authenticatedAt: '2031-05-06T07:08:07.000Z',
      refreshTokenExpiresAt: '2031-05-07T07:08:09.000Z',
    });
    const [started] = await identity.store.read(`session-${chosen.sessionId}`);
    expect(started?.data['refreshTokenHash']).toBe(chosen.refreshTokenHash);
    // A retried request: the same answer, nothing new. The same id with another hash: refused.
    expect(await identity.ok(SessionRpc.startSession, request)).toEqual(grant);
    expect(await identity.store.read(`session-${chosen.sessionId}`)).toHaveLength(1);
    expect(
      await identity.call(SessionRpc.startSession, {
        ...request,
        refreshTokenHash: chosenByGateway().refreshTokenHash,
      }),
    ).toMatchObject({ ok: false });
  });

  it('stores only a hash of the refresh token, and publishes neither', async () => {
    const { refreshToken, sessionId } = await signedIn(identity, operator.id);

    const stored = await identity.store.read(`session-${sessionId}`);
    expect(stored.map((event) => event.type)).toEqual(['SessionStarted']);
    expect(stored[0]?.data['refreshTokenHash']).toBe(refreshTokenHashOf(refreshToken));
    const everything = JSON.stringify((await allEvents(identity.store)).map((event) => event.data));
    expect(everything).not.toContain(refreshToken.split('.')[1]);
    expect(identity.logs()).not.toContain(refreshToken.split('.')[1]);
  });

  it("lists the session in the user's index", async () => {
    const { sessionId } = await signedIn(identity, operator.id);

    const index = await identity.store.read(`user_sessions-${operator.id}`);
    expect(index.map((event) => [event.type, event.data['sessionId']])).toEqual([['UserSessionListed', sessionId]]);
  });

  it('takes a sign-in that claims to have begun in the future as begun now', async () => {
    expect(await signedIn(identity, operator.id, { secondsAgo: -60 })).toMatchObject({
      authenticatedAt: '2031-05-06T07:08:09.000Z',
    });
  });

  it("refuses a sign-in begun before the user's sessions were revoked (a change it raced), starting none usable", async () => {
    await published('identity', 'UserPasswordChanged', operator.id, { occurredAt: identity.clock.now() });

    expect(
      await identity.call(SessionRpc.startSession, {
        ...chosenByGateway(),
        userId: operator.id,
        amr: ['pwd'],
        authenticatedAt: new Date(identity.clock.now().getTime() - 1000).toISOString(),
        context: DEVICE,
      }),
    ).toMatchObject({ ok: false, error: { code: 'invalid_credentials' } });
    expect((await identity.ok(SessionRpc.listSessions, { userId: operator.id })).sessions).toEqual([]);
    expect(await signedIn(identity, operator.id, { secondsAgo: 0 })).toMatchObject({ userId: operator.id });
  });

  it('answers not_found for an unknown user, and invalid_payload for a missing method, context, id or hash', async () => {
    expect(await signedIn(identity, 'nobody').catch((error: Error) => error.message)).toMatch(/not_found/);
    expect(
      await identity.call(SessionRpc.startSession, {
        ...chosenByGateway(),
        userId: operator.id,
        amr: [],
        authenticatedAt: identity.clock.now().toISOString(),
        context: DEVICE,
      }),
    ).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(
      await identity.call(SessionRpc.startSession, {
        ...chosenByGateway(),
        userId: operator.id,
        amr: ['pwd'],
        authenticatedAt: 'yesterday',
      }),
    ).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    const valid = {
      userId: operator.id,
      amr: ['pwd'],
      authenticatedAt: identity.clock.now().toISOString(),
      context: DEVICE,
    };
    for (const chosen of [
      { refreshTokenHash: chosenByGateway().refreshTokenHash },
      { sessionId: chosenByGateway().sessionId },
      { ...chosenByGateway(), refreshTokenHash: 'a refresh token, not its hash' },
      { ...chosenByGateway(), sessionId: '../session' },
    ]) {
      expect(await identity.call(SessionRpc.startSession, { ...valid, ...chosen })).toMatchObject({
        ok: false,
        error: { code: 'invalid_payload' },
      });
    }
  });
});
