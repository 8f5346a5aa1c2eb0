import { describe, expect, it } from 'vitest';
import type { IntegrationEvent } from '#contracts';
import { credentialChangeOf } from './credential-changes.js';

const event = (type: string, data: Record<string, unknown> = {}, extra: Partial<IntegrationEvent> = {}) =>
  ({
    eventId: 'e1',
    type,
    schemaVersion: 1,
    aggregateId: 'u1',
    userId: 'u1',
    occurredAt: '2025-06-02T10:00:00.000Z',
    source: { stream: 'x-u1', revision: 3, position: '42' },
    data,
    ...extra,
  }) satisfies IntegrationEvent;

const at = new Date('2025-06-02T10:00:00.000Z');

describe('credentialChangeOf', () => {
  it.each([
    ['UserPasswordChanged', {}, 'password_changed'],
    ['UserPasswordSetByAdmin', {}, 'password_set_by_admin'],
    ['UserRolesChanged', { roles: [] }, 'roles_changed'],
    ['MfaActivated', {}, 'mfa_activated'],
    ['MfaDeactivated', { by: { kind: 'user', step: 1 } }, 'mfa_deactivated'],
    ['MfaDeactivated', { by: { kind: 'admin', adminId: 'a1', reason: 'phone lost' } }, 'mfa_reset'],
  ])('turns %s into a revocation of the user’s sessions (%o) as %s', (type, data, reason) => {
    expect(credentialChangeOf(event(type, data))).toEqual({ userId: 'u1', at, exceptSessionId: null, reason });
  });

  it('takes the instant the event says the change happened at, over when it was published', () => {
    const changedAt = '2025-06-02T09:59:58.000Z';
    expect(credentialChangeOf(event('UserPasswordChanged', { changedAt }))).toMatchObject({ at: new Date(changedAt) });
  });

  it('spares the session the change was made in', () => {
    expect(credentialChangeOf(event('UserPasswordChanged', {}, { actingSessionId: 's-7' }))).toMatchObject({
      exceptSessionId: 's-7',
    });
  });

  it.each(['MfaChallengeVerified', 'MfaChallengeFailed', 'MfaEnrollmentStarted', 'UserRegistered', 'SessionRevoked'])(
    'ignores %s',
    (type) => {
      expect(credentialChangeOf(event(type))).toBeNull();
    },
  );

  it('ignores an event that names no user', () => {
    const { userId: _userId, ...withoutUser } = event('UserPasswordChanged');
    expect(credentialChangeOf(withoutUser)).toBeNull();
  });
});
