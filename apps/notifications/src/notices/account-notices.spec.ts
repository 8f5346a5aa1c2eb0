import { describe, expect, it } from 'vitest';
import { INTEGRATION_EVENT_CONTRACTS, isIntegrationEventType, type IntegrationEvent } from '#contracts';
import { noticeOf } from './account-notices.js';

const AT = '2031-03-04T05:06:07.000Z';

/** An event as published: its contract's example (current version) for user u1, with `data` changed as given. */
const event = (
  type: string,
  data: Record<string, unknown>,
  extra: Partial<IntegrationEvent> = {},
): IntegrationEvent => {
  const [example] = isIntegrationEventType(type)
    ? Object.values(INTEGRATION_EVENT_CONTRACTS[type]).map((contract) => contract.example)
    : [];
  return {
    eventId: 'e1',
    type,
    schemaVersion: Number(example?.['schemaVersion'] ?? 1),
    aggregateId: 'u1',
    userId: 'u1',
    occurredAt: AT,
    source: { stream: 'x-u1', revision: 3, position: '42' },
    data: { ...(example?.['data'] as Record<string, unknown> | undefined), ...data },
    ...extra,
  };
};
const failed = (data: Record<string, unknown>) =>
  event('MfaChallengeFailed', {
    purpose: 'login',
    reason: 'invalid_code',
    lockedUntil: null,
    requiresAdminReset: false,
    context: { ip: '203.0.113.9', userAgent: 'ua' },
    ...data,
  });
const noticeFrom = (published: IntegrationEvent) => {
  const read = noticeOf(published);
  return read.outcome === 'notice' ? read.addressed.notice : read.outcome;
};
const origin = { ip: '203.0.113.9', userAgent: 'ua' };

describe('the mail an integration event calls for', () => {
  it.each([
    ['MfaActivated', { activatedAt: AT, steps: [1, 2] }, { kind: 'mfa_activated' }],
    ['MfaDeactivated', { by: { kind: 'user', step: 1, context: null } }, { kind: 'mfa_deactivated' }],
    [
      'MfaDeactivated',
      { by: { kind: 'admin', adminId: 'a1', reason: 'phone lost' } },
      { kind: 'mfa_reset', adminId: 'a1', reason: 'phone lost' },
    ],
    [
      'RecoveryCodesGenerated',
      { count: 10, reason: 'regenerated', generatedAt: AT },
      { kind: 'recovery_codes_generated', count: 10 },
    ],
    [
      'RecoveryCodeUsed',
      { remaining: 2, usedAt: AT, challengeId: 'c', context: origin },
      { kind: 'recovery_code_used', remaining: 2, origin },
    ],
    ['UserPasswordChanged', { userId: 'u1', changedAt: AT }, { kind: 'password_changed' }],
    [
      'UserPasswordSetByAdmin',
      { userId: 'u1', setBy: 'a1', setAt: AT },
      { kind: 'password_set_by_admin', adminId: 'a1' },
    ],
    ['UserLocked', { userId: 'u1', lockedAt: AT }, { kind: 'account_locked' }],
  ])('%s %o → %o', (type, data, notice) => {
    expect(noticeFrom(event(type, data))).toEqual(notice);
  });

  it('tells of a lock by the failure that set it, timed or until an admin reset, and of no other failure', () => {
    expect(noticeFrom(failed({ lockedUntil: '2031-03-04T05:11:07.000Z' }))).toEqual({
      kind: 'codes_locked',
      lockedUntil: '2031-03-04T05:11:07.000Z',
      requiresAdminReset: false,
      origin,
    });
    expect(noticeFrom(failed({ requiresAdminReset: true }))).toMatchObject({
      kind: 'codes_locked',
      requiresAdminReset: true,
    });
    expect(noticeFrom(failed({}))).toBe('ignored');
    // Attempts while locked neither count nor extend the lock: one mail per lock, not per attempt.
    expect(noticeFrom(failed({ reason: 'locked', lockedUntil: '2031-03-04T05:11:07.000Z' }))).toBe('ignored');
  });

  it('tells of a code offered again (replayed), saying whether that also locked the codes', () => {
    expect(noticeFrom(failed({ reason: 'replayed' }))).toEqual({
      kind: 'code_replayed',
      code: 'totp',
      locked: false,
      origin,
    });
    expect(noticeFrom(failed({ reason: 'replayed', lockedUntil: AT, context: null }))).toEqual({
      kind: 'code_replayed',
      code: 'totp',
      locked: true,
      origin: null,
    });
    expect(noticeFrom(failed({ reason: 'recovery_code_used' }))).toEqual({
      kind: 'code_replayed',
      code: 'recovery',
      locked: false,
      origin,
    });
    // A recovery code that is none of the set is a wrong code like any other.
    expect(noticeFrom(failed({ reason: 'invalid_recovery_code' }))).toBe('ignored');
  });

  it('sends no second mail for the recovery codes made at activation (the activation mail speaks of them)', () => {
    expect(noticeFrom(event('RecoveryCodesGenerated', { count: 10, reason: 'activation', generatedAt: AT }))).toBe(
      'ignored',
    );
  });

  it.each(['MfaChallengeVerified', 'MfaEnrollmentStarted', 'UserRegistered', 'SessionRevoked', 'SomethingNew'])(
    'ignores %s',
    (type) => {
      expect(noticeFrom(event(type, {}))).toBe('ignored');
    },
  );

  it('names what is wrong with an event of a mailed type that is not the published form, by path only', () => {
    expect(noticeOf(event('RecoveryCodeUsed', { remaining: 'many', secret: 'JBSWY3DP' }))).toEqual({
      outcome: 'malformed',
      problems: 'data.remaining: invalid_type',
    });
    const { userId: _userId, ...withoutUser } = event('UserLocked', {});
    expect(noticeOf(withoutUser)).toEqual({ outcome: 'malformed', problems: 'userId: invalid_type' });
  });

  it('parks an event of a mailed type in a version it does not know rather than guess at it', () => {
    expect(noticeOf(event('UserLocked', {}, { schemaVersion: 9 }))).toEqual({
      outcome: 'malformed',
      problems: 'schemaVersion 9',
    });
  });

  it('carries only what it read: no field of the event it did not ask for (a code, a secret) gets into a notice', () => {
    const read = noticeOf(
      event('RecoveryCodeUsed', {
        remaining: 3,
        usedAt: AT,
        challengeId: 'c',
        context: origin,
        code: '1234-5678',
        hash: 'h',
      }),
    );
    expect(JSON.stringify(read)).not.toMatch(/1234-5678|"hash"|challengeId/);
    expect(read).toEqual({
      outcome: 'notice',
      addressed: { eventId: 'e1', userId: 'u1', occurredAt: '2031-03-04T05:06:07.000Z', notice: expect.any(Object) },
    });
  });
});
