import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdentityRpc, SessionRpc, type UserView } from '#contracts';
import type { ServiceUnderTest } from '#testing';
import { startIdentityWithOperator } from '../identity.testing.js';
import { DEVICE, refreshed, signedIn } from '../sessions/sessions.testing.js';

describe('identity.revoke-session', () => {
  let identity: ServiceUnderTest;
  let operator: UserView;

  beforeEach(async () => {
    ({ identity, operator } = await startIdentityWithOperator());
  });
  afterEach(() => identity.close({ removeData: true }));

  it('lets a user end one of their sessions (the lost laptop) and keeps the others', async () => {
    const laptop = await signedIn(identity, operator.id);
    const phone = await signedIn(identity, operator.id);

    expect(await identity.call(SessionRpc.revokeSession, { userId: operator.id, sessionId: laptop.sessionId })).toEqual(
      {
        ok: true,
        value: { sessionId: laptop.sessionId },
      },
    );
    expect(await refreshed(identity, laptop.refreshToken, DEVICE)).toMatchObject({
      ok: false,
      error: { code: 'invalid_refresh_token' },
    });
    expect(await refreshed(identity, phone.refreshToken, DEVICE)).toMatchObject({
      ok: true,
      value: { sessionId: phone.sessionId },
    });
  });

  it("answers not_found for another user's session and for an unknown one, changing nothing", async () => {
    const ann = await identity.ok(IdentityRpc.registerUser, {
      orgId: operator.orgId,
      email: 'ann@example.org',
      password: 'ann long password',
      roles: [],
      registeredBy: operator.id,
    });
    const operatorsSession = await signedIn(identity, operator.id);

    for (const request of [
      { userId: ann.id, sessionId: operatorsSession.sessionId },
      { userId: operator.id, sessionId: crypto.randomUUID() },
    ]) {
      expect(await identity.call(SessionRpc.revokeSession, request)).toEqual({
        ok: false,
        error: { code: 'not_found', message: 'no such session' },
      });
    }
    expect(await identity.store.read(`session-${operatorsSession.sessionId}`)).toHaveLength(1);
  });
});
