import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INTEGRATION_TOPICS, IdentityRpc, type IntegrationEvent, type UserView } from '#contracts';
import { processBus } from '#messaging';
import type { ServiceUnderTest } from '#testing';
import { OPERATOR, SIGN_IN_CONTEXT, startIdentityWithOperator } from '../identity.testing.js';
import { DEVICE, published, refreshed, signedIn } from '../sessions/sessions.testing.js';

describe("revoking the user's other sessions when their credentials change", () => {
  let identity: ServiceUnderTest;
  let operator: UserView;
  const identityEvents: IntegrationEvent[] = [];
  const collect = async (event: unknown) => void identityEvents.push(event as IntegrationEvent);

  const usable = async (refreshToken: string) => (await refreshed(identity, refreshToken, DEVICE)).ok;
  const revocationsOf = async (sessionId: string) =>
    (await identity.store.read(`session-${sessionId}`))
      .filter((event) => event.type === 'SessionRevoked')
      .map((event) => event.data['reason']);

  beforeEach(async () => {
    identityEvents.length = 0;
    processBus.subscribe(INTEGRATION_TOPICS.identity, collect);
    ({ identity, operator } = await startIdentityWithOperator({ now: new Date('2031-05-06T07:00:00.000Z') }));
  });
  afterEach(async () => {
    processBus.unsubscribe(INTEGRATION_TOPICS.identity, collect);
    await identity.close({ removeData: true });
  });

  it('revokes every session signed in before an MFA activation except the one it was made in', async () => {
    const laptop = await signedIn(identity, operator.id);
    const phone = await signedIn(identity, operator.id);
    identity.clock.advanceSeconds(60);

    await published('mfa', 'MfaActivated', operator.id, {
      occurredAt: identity.clock.now(),
      actingSessionId: phone.sessionId,
    });

    expect(await revocationsOf(laptop.sessionId)).toEqual(['mfa_activated']);
    expect(await revocationsOf(phone.sessionId)).toEqual([]);
    expect(await usable(phone.refreshToken)).toBe(true);
    expect(await usable(laptop.refreshToken)).toBe(false);
  });

  it('revokes all of them on an admin’s reset, and leaves sessions signed in after it', async () => {
    const before = await signedIn(identity, operator.id);
    identity.clock.advanceSeconds(60);
    const resetAt = identity.clock.now();
    identity.clock.advanceSeconds(5);
    const after = await signedIn(identity, operator.id, { secondsAgo: 1 });

    await published('mfa', 'MfaDeactivated', operator.id, {
      occurredAt: resetAt,
      data: { by: { kind: 'admin', adminId: 'a1', reason: 'phone lost' } },
      actingSessionId: 'the-admins-session',
    });

    expect(await revocationsOf(before.sessionId)).toEqual(['mfa_reset']);
    expect(await usable(after.refreshToken)).toBe(true);
  });

  it('does it once however often the event comes (at-least-once delivery), in the index and the sessions', async () => {
    const laptop = await signedIn(identity, operator.id);
    const event = {
      occurredAt: new Date(identity.clock.now().getTime() + 1000),
      data: { by: { kind: 'user', step: 1, context: null } },
    };
    await published('mfa', 'MfaDeactivated', operator.id, event);
    await published('mfa', 'MfaDeactivated', operator.id, event);

    expect(await revocationsOf(laptop.sessionId)).toEqual(['mfa_deactivated']);
    const index = await identity.store.read(`user_sessions-${operator.id}`);
    expect(index.map((recorded) => recorded.type)).toEqual(['UserSessionListed', 'UserSessionsRevoked']);
  });

  it('revokes the other sessions of a password change made in a session, and publishes each revocation', async () => {
    const laptop = await signedIn(identity, operator.id);
    const phone = await signedIn(identity, operator.id);
    identity.clock.advanceSeconds(10);

    const changed = await identity.call(
      IdentityRpc.changePassword,
      {
        userId: operator.id,
        currentPassword: OPERATOR.password,
        newPassword: 'operator new long password',
        context: SIGN_IN_CONTEXT,
      },
      { actingSessionId: phone.sessionId },
    );
    expect(changed.ok).toBe(true);

    await expect.poll(() => revocationsOf(laptop.sessionId)).toEqual(['password_changed']);
    expect(await usable(phone.refreshToken)).toBe(true);
    await expect
      .poll(() => identityEvents.filter((event) => event.type === 'SessionRevoked').map((event) => event.aggregateId))
      .toEqual([laptop.sessionId]);
    const passwordChanged = identityEvents.find((event) => event.type === 'UserPasswordChanged');
    expect(passwordChanged).toMatchObject({ userId: operator.id, actingSessionId: phone.sessionId });
    expect(identityEvents.find((event) => event.type === 'SessionRevoked')).toMatchObject({
      userId: operator.id,
      data: { sessionId: laptop.sessionId, userId: operator.id, reason: 'password_changed' },
    });
  });

  it('ignores events that change no credential, and users without sessions', async () => {
    const laptop = await signedIn(identity, operator.id);
    await published('mfa', 'MfaChallengeVerified', operator.id, { occurredAt: identity.clock.now() });
    await published('mfa', 'MfaActivated', 'someone-else', { occurredAt: identity.clock.now() });

    expect(await usable(laptop.refreshToken)).toBe(true);
  });
});
