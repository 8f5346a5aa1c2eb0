import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '#event-store';
import { normaliseEmail } from './email-reservation/email.js';
import { identityIntegrationEvent } from './identity.public.js';

const email = normaliseEmail('ann@example.org');
const passwordHash = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';

const recorded = (stream: string, type: string, data: Record<string, unknown>): RecordedEvent => ({
  id: 'e1',
  stream,
  revision: 0,
  position: 42n,
  type,
  data,
  metadata: { schemaVersion: 1 },
  recordedAt: new Date('2025-03-01T10:00:00.000Z'),
});
const publishedData = (stream: string, type: string, data: Record<string, unknown>) =>
  identityIntegrationEvent(recorded(stream, type, data))?.data ?? null;

const registered = {
  schemaVersion: 1,
  userId: 'u1',
  orgId: 'o1',
  email,
  passwordHash,
  roles: ['admin'],
  registeredAt: '2025-03-01T10:00:00.000Z',
};

describe('the public form of identity events', () => {
  it('publishes UserRegistered without the password hash, a stored version 1 as version 2', () => {
    const published = publishedData('user-u1', 'UserRegistered', registered);
    expect(published).toEqual({
      schemaVersion: 2,
      userId: 'u1',
      orgId: 'o1',
      email,
      roles: ['admin'],
      passwordChangeRequired: false,
      registeredAt: '2025-03-01T10:00:00.000Z',
    });
    expect(JSON.stringify(published)).not.toContain('argon2');
  });

  it('publishes a password an admin set as who and when, never the hash, and a rehash not at all', () => {
    const set = { schemaVersion: 1, userId: 'u1', passwordHash, setBy: 'a1', setAt: '2025-03-02T08:30:00.000Z' };
    expect(publishedData('user-u1', 'UserPasswordSetByAdmin', set)).toEqual({
      schemaVersion: 1,
      userId: 'u1',
      setBy: 'a1',
      setAt: '2025-03-02T08:30:00.000Z',
    });
    const rehashed = { schemaVersion: 1, userId: 'u1', passwordHash, rehashedAt: '2025-03-02T08:30:00.000Z' };
    expect(publishedData('user-u1', 'PasswordRehashed', rehashed)).toBeNull();
  });

  it('publishes failed and succeeded passwords, locks and unlocks, for security monitoring', () => {
    const context = { ip: '203.0.113.7', userAgent: 'agent/1.0' };
    const events = {
      PasswordCheckFailed: { userId: 'u1', reason: 'ip_not_allowed', ...context, failedAt: '2025-03-01T10:00:00.000Z' },
      PasswordCheckSucceeded: { userId: 'u1', ...context, succeededAt: '2025-03-02T10:00:00.000Z' },
      UserLocked: { userId: 'u1', lockedAt: '2025-03-03T10:00:00.000Z' },
      UserUnlocked: { userId: 'u1', unlockedBy: 'a1', reason: 'helpdesk', unlockedAt: '2025-03-04T10:00:00.000Z' },
    };
    for (const [type, data] of Object.entries(events)) {
      expect(publishedData('user-u1', type, { schemaVersion: 1, ...data })).toEqual({ schemaVersion: 1, ...data });
    }
  });

  it('does not publish the failed passwords of addresses nobody has', () => {
    const failed = { schemaVersion: 1, reason: 'wrong_password', ip: '::1', userAgent: '', failedAt: 't' };
    expect(publishedData('unregistered_address-ab12', 'PasswordCheckFailed', failed)).toBeNull();
  });

  it('publishes UserPasswordChanged as who and when only, never the hash', () => {
    const changed = { schemaVersion: 1, userId: 'u1', passwordHash, changedAt: '2025-03-02T08:30:00.000Z' };
    const published = publishedData('user-u1', 'UserPasswordChanged', changed);
    expect(published).toEqual({ schemaVersion: 1, userId: 'u1', changedAt: '2025-03-02T08:30:00.000Z' });
    expect(JSON.stringify(published)).not.toContain('argon2');
  });

  it('drops fields it does not know, so a field added later stays private until listed', () => {
    const changed = {
      schemaVersion: 1,
      userId: 'u1',
      roles: [],
      changedBy: 'a1',
      changedAt: '2025-03-01T10:00:00.000Z',
    };
    expect(publishedData('user-u1', 'UserRolesChanged', { ...changed, secret: 'x' })).toEqual(changed);
  });

  it('publishes role changes and organisations as they are', () => {
    const rolesChanged = {
      schemaVersion: 1,
      userId: 'u1',
      roles: ['billing'],
      changedBy: 'a1',
      changedAt: '2025-03-01T10:00:00.000Z',
    };
    const created = {
      schemaVersion: 1,
      orgId: 'o1',
      name: 'Operator',
      createdAt: '2025-03-01T10:00:00.000Z',
      bootstrap: true,
    };
    expect(publishedData('user-u1', 'UserRolesChanged', rolesChanged)).toEqual(rolesChanged);
    expect(publishedData('org-o1', 'OrganisationCreated', created)).toEqual(created);
  });

  it('does not publish email reservations or unknown event types', () => {
    const reserved = { schemaVersion: 1, email, userId: 'u1', reservedAt: '2025-03-01T10:00:00.000Z' };
    expect(publishedData('email-ab12', 'EmailReserved', reserved)).toBeNull();
    expect(publishedData('user-u1', 'toString', {})).toBeNull();
  });
});

describe('identityIntegrationEvent', () => {
  it('publishes a registration keyed by the user, with its source and without the hash', () => {
    const event = identityIntegrationEvent(recorded('user-u1', 'UserRegistered', registered));
    expect(event).toEqual({
      eventId: 'e1',
      type: 'UserRegistered',
      schemaVersion: 2,
      aggregateId: 'u1',
      userId: 'u1',
      orgId: 'o1',
      occurredAt: '2025-03-01T10:00:00.000Z',
      source: { stream: 'user-u1', revision: 0, position: '42' },
      data: {
        schemaVersion: 2,
        userId: 'u1',
        orgId: 'o1',
        email,
        roles: ['admin'],
        passwordChangeRequired: false,
        registeredAt: registered.registeredAt,
      },
    });
    expect(JSON.stringify(event)).not.toContain('$argon2');
  });

  it('keys an organisation by itself', () => {
    const data = {
      schemaVersion: 1,
      orgId: 'o1',
      name: 'Operator',
      createdAt: '2025-03-01T10:00:00.000Z',
      bootstrap: true,
    };
    expect(identityIntegrationEvent(recorded('org-o1', 'OrganisationCreated', data))).toMatchObject({
      aggregateId: 'o1',
      orgId: 'o1',
      data,
    });
  });

  it.each([
    ['an email reservation', recorded('email-ab12', 'EmailReserved', { schemaVersion: 1, email, userId: 'u1' })],
    [
      'the installation record',
      recorded('installation', 'InstallationBootstrapped', { schemaVersion: 1, orgId: 'o1' }),
    ],
    ['a relay checkpoint', recorded('relay_checkpoint-identity', 'RelayCheckpointed', { position: '41' })],
    ['a snapshot', recorded('user_snapshot-u1', 'Snapshot', { version: 1, revision: 0, state: registered })],
    ['a user event outside its own stream', recorded('user_snapshot-u1', 'UserRegistered', registered)],
    ['a user event in another user stream', recorded('user-u2', 'UserRegistered', registered)],
  ])('does not publish %s', (_, event) => {
    expect(identityIntegrationEvent(event)).toBeNull();
  });
});
