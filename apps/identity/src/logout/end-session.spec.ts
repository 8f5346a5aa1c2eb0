import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UserView } from '#contracts';
import type { ServiceUnderTest } from '#testing';
import { startIdentityWithOperator } from '../identity.testing.js';
import { loggedOut, refreshed, signedIn } from '../sessions/sessions.testing.js';

describe('identity.end-session (logout)', () => {
  let identity: ServiceUnderTest;
  let operator: UserView;

  beforeEach(async () => {
    ({ identity, operator } = await startIdentityWithOperator());
  });
  afterEach(() => identity.close({ removeData: true }));

  it('ends the session of the refresh token: it cannot be refreshed any more, and logging out again is fine', async () => {
    const { refreshToken, sessionId } = await signedIn(identity, operator.id);

    expect(await loggedOut(identity, refreshToken)).toEqual({ ok: true, value: { sessionId } });
    expect(await loggedOut(identity, refreshToken)).toEqual({ ok: true, value: { sessionId } });
    expect(await refreshed(identity, refreshToken)).toMatchObject({
      ok: false,
      error: { code: 'invalid_refresh_token' },
    });
    const events = await identity.store.read(`session-${sessionId}`);
    expect(events.map((event) => [event.type, event.data['reason']])).toEqual([
      ['SessionStarted', undefined],
      ['SessionRevoked', 'logout'],
    ]);
  });

  it('refuses a token that is not the session’s', async () => {
    const { sessionId } = await signedIn(identity, operator.id);

    expect(await loggedOut(identity, `${sessionId}.${'B'.repeat(43)}`)).toMatchObject({
      ok: false,
      error: { code: 'invalid_refresh_token' },
    });
  });
});
