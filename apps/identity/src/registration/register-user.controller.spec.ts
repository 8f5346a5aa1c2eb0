import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestingModule } from '@nestjs/testing';
import { EVENT_STORE, type EventStore } from '#event-store';
import { INTEGRATION_TOPICS, type IntegrationEvent, type UserView } from '#contracts';
import { processBus } from '#messaging';
import { VerifyCredentialsController } from '../credentials/verify-credentials.controller.js';
import { emailReservationStream, normaliseEmail } from '../email-reservation/email.js';
import {
  OPERATOR,
  OPERATOR_ENV,
  allEvents,
  countByType,
  startIdentity,
  temporaryDataDir,
} from '../identity.testing.js';
import { RegisterUserController } from './register-user.controller.js';
import { UserRegistration } from './user-registration.js';

describe('identity.register-user', () => {
  let dataDir: ReturnType<typeof temporaryDataDir>;
  let identity: TestingModule;
  let register: RegisterUserController;
  let credentials: VerifyCredentialsController;
  let operator: UserView;

  const newUser = (overrides: Record<string, unknown> = {}) => ({
    orgId: operator.orgId,
    email: 'ann@example.org',
    password: 'ann long password',
    roles: ['accounting'],
    registeredBy: operator.id,
    ...overrides,
  });

  beforeEach(async () => {
    dataDir = temporaryDataDir();
    identity = await startIdentity(dataDir.path, { env: OPERATOR_ENV });
    register = identity.get(RegisterUserController);
    credentials = identity.get(VerifyCredentialsController);
    const signedIn = await credentials.verifyCredentials(OPERATOR);
    if (!signedIn.ok) throw new Error(`operator cannot sign in: ${signedIn.error.code}`);
    operator = signedIn.value;
  });

  afterEach(async () => {
    await identity.close();
    dataDir.remove();
  });

  it('answers invalid_payload for a payload that does not match the schema', async () => {
    expect(await register.registerUser({ email: 'ann@example.org' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload' },
    });
    expect(await register.registerUser(newUser({ roles: ['Not A Role'] }))).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload' },
    });
  });

  it('registers a user who can then sign in', async () => {
    const registered = await register.registerUser(newUser({ email: ' Ann@Example.ORG' }));
    expect(registered).toEqual({
      ok: true,
      value: { id: expect.any(String), email: 'ann@example.org', orgId: operator.orgId, roles: ['accounting'] },
    });
    const signedIn = await credentials.verifyCredentials({ email: 'ann@example.org', password: 'ann long password' });
    expect(signedIn).toEqual(registered);
  });

  it('records who registered the user, in the metadata', async () => {
    const registered = await register.registerUser(newUser());
    if (!registered.ok) throw new Error(registered.error.code);
    const [event] = await identity.get<EventStore>(EVENT_STORE).read(`user-${registered.value.id}`);
    expect(event).toMatchObject({
      type: 'UserRegistered',
      data: { schemaVersion: 1 },
      metadata: { registeredBy: operator.id, schemaVersion: 1 },
    });
  });

  it('refuses a weak password with weak_password and the reason, writing nothing', async () => {
    const before = (await allEvents(identity)).length;
    expect(await register.registerUser(newUser({ password: 'too short' }))).toEqual({
      ok: false,
      error: {
        code: 'weak_password',
        message: 'password must be at least 12 characters long',
        details: expect.objectContaining({ reason: 'too_short' }),
      },
    });
    expect(await register.registerUser(newUser({ password: 'ANN@example.org' }))).toMatchObject({
      ok: false,
      error: { code: 'weak_password', message: 'password must not be the email address' },
    });
    // +1: the marker allEvents itself appends.
    expect((await allEvents(identity)).length).toBe(before + 1);
  });

  it('refuses an organisation that does not exist', async () => {
    expect(await register.registerUser(newUser({ orgId: 'no-such-org' }))).toMatchObject({
      ok: false,
      error: { code: 'not_found', message: 'organisation not found' },
    });
  });

  it('answers email_taken for an address already registered, in any spelling', async () => {
    expect((await register.registerUser(newUser())).ok).toBe(true);
    expect(
      await register.registerUser(newUser({ email: 'ANN@example.org', password: 'another long password' })),
    ).toEqual({
      ok: false,
      error: { code: 'email_taken', message: 'a user with this email address already exists' },
    });
    expect(await register.registerUser(newUser({ email: OPERATOR.email }))).toMatchObject({
      ok: false,
      error: { code: 'email_taken' },
    });
  });

  it('lets exactly one of two concurrent registrations of one address succeed', async () => {
    const results = await Promise.all([
      register.registerUser(newUser({ password: 'first long password' })),
      register.registerUser(newUser({ password: 'second long password' })),
      register.registerUser(newUser({ password: 'third long password', roles: [] })),
    ]);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.filter((result) => !result.ok).map((result) => !result.ok && result.error.code)).toEqual([
      'email_taken',
      'email_taken',
    ]);
    const events = await allEvents(identity);
    expect(countByType(events, 'UserRegistered')).toBe(2); // the operator and the winner
  });

  it('completes a registration that crashed after reserving the address, under the reserved id', async () => {
    const email = normaliseEmail('ann@example.org');
    const orphanId = 'interrupted-user';
    await identity.get<EventStore>(EVENT_STORE).append(
      emailReservationStream(email),
      [
        {
          id: randomUUID(),
          type: 'EmailReserved',
          data: { schemaVersion: 1, email, userId: orphanId, reservedAt: new Date().toISOString() },
        },
      ],
      'no_stream',
    );
    expect(await credentials.verifyCredentials({ email, password: 'ann long password' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_credentials' },
    });

    expect(await register.registerUser(newUser())).toMatchObject({ ok: true, value: { id: orphanId } });
    expect(await credentials.verifyCredentials({ email, password: 'ann long password' })).toMatchObject({
      ok: true,
      value: { id: orphanId },
    });
    expect(await register.registerUser(newUser())).toMatchObject({ ok: false, error: { code: 'email_taken' } });
  });

  it('lets exactly one of two completions of one reserved id win; the other answers email_taken', async () => {
    const registration = identity.get(UserRegistration);
    const [first, second] = [
      await registration.prepare({ email: 'ann@example.org', password: 'first long password', roles: [] }),
      await registration.prepare({ email: 'ann@example.org', password: 'second long password', roles: [] }),
    ];
    const userId = await registration.reserveEmail(first.email);
    const outcomes = await Promise.allSettled([
      registration.complete(userId, first, { orgId: operator.orgId, registeredBy: operator.id }),
      registration.complete(userId, second, { orgId: operator.orgId, registeredBy: operator.id }),
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
      const registered = await register.registerUser(newUser());
      if (!registered.ok) throw new Error(registered.error.code);
      await expect.poll(() => published.map((event) => event.userId)).toContain(registered.value.id);
      const event = published.find((candidate) => candidate.userId === registered.value.id);
      expect(event).toMatchObject({
        type: 'UserRegistered',
        schemaVersion: 1,
        aggregateId: registered.value.id,
        orgId: operator.orgId,
        source: { stream: `user-${registered.value.id}`, revision: 0 },
        data: { email: 'ann@example.org', roles: ['accounting'] },
      });
      const serialized = JSON.stringify(published);
      expect(serialized).not.toContain('$argon2');
      expect(serialized).not.toContain('passwordHash');
      expect(published.map((candidate) => candidate.type)).not.toContain('EmailReserved');
      // The stored event does hold the hash, so the absence above is the relay's doing.
      const [stored] = await identity.get<EventStore>(EVENT_STORE).read(`user-${registered.value.id}`);
      expect(JSON.stringify(stored?.data)).toContain('$argon2id$');
    } finally {
      processBus.remove(INTEGRATION_TOPICS.identity);
    }
  });
});
