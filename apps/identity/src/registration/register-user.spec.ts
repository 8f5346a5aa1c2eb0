import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdentityRpc, INTEGRATION_TOPICS, type IntegrationEvent, type UserView } from '#contracts';
import { processBus } from '#messaging';
import type { ServiceUnderTest } from '#testing';
import { normaliseEmail } from '../email-reservation/email.js';
import { emailReservationStream } from '../email-reservation/email-reservation.events.js';
import { OPERATOR, allEvents, countByType, signInRequest, startIdentityWithOperator } from '../identity.testing.js';
import { RegistrationSteps } from './registration-steps.js';

describe('identity.register-user', () => {
  let identity: ServiceUnderTest;
  let operator: UserView;

  const newUser = (overrides: Record<string, unknown> = {}) => ({
    orgId: operator.orgId,
    email: 'ann@example.org',
    password: 'ann long password',
    roles: ['accounting'],
    registeredBy: operator.id,
    ...overrides,
  });
  const register = (payload: unknown) => identity.call(IdentityRpc.registerUser, payload);
  const verify = ({ email, password }: { email: string; password: string }) =>
    identity.call(IdentityRpc.verifyCredentials, signInRequest(email, password));

  beforeEach(async () => {
    ({ identity, operator } = await startIdentityWithOperator());
  });

  afterEach(async () => {
    await identity.close({ removeData: true });
  });

  it('answers invalid_payload for a payload that does not match the schema', async () => {
    expect(await register({ email: 'ann@example.org' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload' },
    });
    expect(await register(newUser({ roles: ['Not A Role'] }))).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload' },
    });
  });

  it('registers a user who can then sign in', async () => {
    const registered = await register(newUser({ email: ' Ann@Example.ORG' }));
    expect(registered).toEqual({
      ok: true,
      value: { id: expect.any(String), email: 'ann@example.org', orgId: operator.orgId, roles: ['accounting'] },
    });
    if (!registered.ok) return;
    const signedIn = await verify({ email: 'ann@example.org', password: 'ann long password' });
    // The admin chose the password: the user must replace it at the first sign-in.
    expect(signedIn).toEqual({ ok: true, value: { ...registered.value, passwordChangeRequired: true } });
  });

  it('records who registered the user, in the metadata', async () => {
    const registered = await identity.ok(IdentityRpc.registerUser, newUser());
    const [event] = await identity.store.read(`user-${registered.id}`);
    expect(event).toMatchObject({
      type: 'UserRegistered',
      data: { schemaVersion: 2, passwordChangeRequired: true },
      metadata: { registeredBy: operator.id, schemaVersion: 2 },
    });
  });

  it('takes the registration time from the clock', async () => {
    identity.clock.set(new Date('2031-05-06T07:08:09.000Z'));
    const registered = await identity.ok(IdentityRpc.registerUser, newUser());
    const [event] = await identity.store.read(`user-${registered.id}`);
    expect(event?.data).toMatchObject({ registeredAt: '2031-05-06T07:08:09.000Z' });
  });

  it('refuses a weak password with weak_password and the reason, writing nothing', async () => {
    const before = (await allEvents(identity.store)).length;
    expect(await register(newUser({ password: 'too short' }))).toEqual({
      ok: false,
      error: {
        code: 'weak_password',
        message: 'password must be at least 12 characters long',
        details: expect.objectContaining({ reason: 'too_short' }),
      },
    });
    expect(await register(newUser({ password: 'ANN@example.org' }))).toMatchObject({
      ok: false,
      error: { code: 'weak_password', message: 'password must not be the email address' },
    });
    // +1: the marker allEvents itself appends.
    expect((await allEvents(identity.store)).length).toBe(before + 1);
  });

  it('refuses a common password with password_too_common, writing nothing', async () => {
    const before = (await allEvents(identity.store)).length;
    expect(await register(newUser({ password: 'qwertyuiopasdfgh' }))).toEqual({
      ok: false,
      error: {
        code: 'password_too_common',
        message: 'this password is on a list of common or breached passwords; choose another',
      },
    });
    expect((await allEvents(identity.store)).length).toBe(before + 1);
  });

  it('refuses an organisation that does not exist', async () => {
    expect(await register(newUser({ orgId: 'no-such-org' }))).toMatchObject({
      ok: false,
      error: { code: 'not_found', message: 'organisation not found' },
    });
  });

  it('answers email_taken for an address already registered, in any spelling', async () => {
    expect((await register(newUser())).ok).toBe(true);
    expect(await register(newUser({ email: 'ANN@example.org', password: 'another long password' }))).toEqual({
      ok: false,
      error: { code: 'email_taken', message: 'a user with this email address already exists' },
    });
    expect(await register(newUser({ email: OPERATOR.email }))).toMatchObject({
      ok: false,
      error: { code: 'email_taken' },
    });
  });

  it('lets exactly one of two concurrent registrations of one address succeed', async () => {
    const results = await Promise.all([
      register(newUser({ password: 'first long password' })),
      register(newUser({ password: 'second long password' })),
      register(newUser({ password: 'third long password', roles: [] })),
    ]);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.filter((result) => !result.ok).map((result) => !result.ok && result.error.code)).toEqual([
      'email_taken',
      'email_taken',
    ]);
    const events = await allEvents(identity.store);
    expect(countByType(events, 'UserRegistered')).toBe(2); // the operator and the winner
  });

  it('completes a registration that crashed after reserving the address, under the reserved id', async () => {
    const email = normaliseEmail('ann@example.org');
    const orphanId = 'interrupted-user';
    await identity.store.append(
      emailReservationStream(email),
      [
        {
          id: randomUUID(),
          type: 'EmailReserved',
          data: { schemaVersion: 1, email, userId: orphanId, reservedAt: identity.clock.now().toISOString() },
        },
      ],
      'no_stream',
    );
    expect(await verify({ email, password: 'ann long password' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_credentials' },
    });

    expect(await register(newUser())).toMatchObject({ ok: true, value: { id: orphanId } });
    expect(await verify({ email, password: 'ann long password' })).toMatchObject({
      ok: true,
      value: { id: orphanId },
    });
    expect(await register(newUser())).toMatchObject({ ok: false, error: { code: 'email_taken' } });
  });

  it('lets exactly one of two completions of one reserved id win; the other answers email_taken', async () => {
    const steps = identity.get(RegistrationSteps);
    const now = identity.clock.now();
    const [first, second] = [
      await steps.prepare({ email: 'ann@example.org', password: 'first long password', roles: [] }),
      await steps.prepare({ email: 'ann@example.org', password: 'second long password', roles: [] }),
    ];
    const userId = await steps.reserveEmail(first.email, randomUUID(), now);
    const outcomes = await Promise.allSettled([
      steps.register(userId, first, { orgId: operator.orgId, registeredBy: operator.id, now }),
      steps.register(userId, second, { orgId: operator.orgId, registeredBy: operator.id, now }),
    ]);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.find((outcome) => outcome.status === 'rejected')).toMatchObject({
      reason: expect.objectContaining({ code: 'email_taken' }),
    });
  });

  it('publishes the registration on auth.identity.events without the password hash', async () => {
    const published: IntegrationEvent[] = [];
    processBus.subscribe(INTEGRATION_TOPICS.identity, async (event) => {
      published.push(event as IntegrationEvent);
    });
    try {
      const registered = await identity.ok(IdentityRpc.registerUser, newUser());
      await expect.poll(() => published.map((event) => event.userId)).toContain(registered.id);
      const event = published.find((candidate) => candidate.userId === registered.id);
      expect(event).toMatchObject({
        type: 'UserRegistered',
        schemaVersion: 2,
        aggregateId: registered.id,
        orgId: operator.orgId,
        source: { stream: `user-${registered.id}`, revision: 0 },
        data: { email: 'ann@example.org', roles: ['accounting'], passwordChangeRequired: true },
      });
      const serialized = JSON.stringify(published);
      expect(serialized).not.toContain('$argon2');
      expect(serialized).not.toContain('passwordHash');
      expect(published.map((candidate) => candidate.type)).not.toContain('EmailReserved');
      // The stored event does hold the hash, so the absence above is the relay's doing.
      const [stored] = await identity.store.read(`user-${registered.id}`);
      expect(JSON.stringify(stored?.data)).toContain('$argon2id$');
    } finally {
      processBus.remove(INTEGRATION_TOPICS.identity);
    }
  });
});
