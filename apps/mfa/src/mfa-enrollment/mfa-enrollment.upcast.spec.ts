import { describe, expect, it } from 'vitest';
import type { MfaEnrollmentEvent } from './mfa-enrollment.events.js';
import { UnknownEventType, UnsupportedSchemaVersion } from '#event-store';
import { decodeMfaEvent, encodeMfaEvent, type StoredEventData } from './mfa-enrollment.upcast.js';

const upcast = (type: string, data: StoredEventData) => decodeMfaEvent({ stream: 'mfa-u1', type, data });

const CURRENT_EVENTS: readonly MfaEnrollmentEvent[] = [
  {
    type: 'MfaEnrollmentStarted',
    data: {
      schemaVersion: 1,
      enrollmentId: 'enr-1',
      secret: {
        keyId: '0123456789abcdef',
        iv: 'AAAAAAAAAAAAAAAA',
        ciphertext: 'c2VhbGVk',
        tag: 'AAAAAAAAAAAAAAAAAAAAAA==',
      },
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
      issuer: 'Acme',
      label: 'ann@example.com',
      startedAt: '2025-06-02T10:00:00.000Z',
      expiresAt: '2025-06-02T10:10:00.000Z',
    },
  },
  {
    type: 'MfaActivated',
    data: {
      schemaVersion: 1,
      enrollmentId: 'enr-1',
      activatedAt: '2025-06-02T10:01:00.000Z',
      steps: [58_000_001, 58_000_002],
    },
  },
  {
    type: 'MfaChallengeVerified',
    data: {
      schemaVersion: 1,
      step: 58_000_010,
      verifiedAt: '2025-06-02T10:05:00.000Z',
      context: { ip: '::1', userAgent: 'curl' },
    },
  },
  {
    type: 'MfaChallengeFailed',
    data: {
      schemaVersion: 1,
      purpose: 'login',
      reason: 'invalid_code',
      failedAt: '2025-06-02T10:06:00.000Z',
      consecutiveFailures: 1,
      lockedUntil: null,
      context: null,
    },
  },
  {
    type: 'MfaDeactivated',
    data: {
      schemaVersion: 1,
      deactivatedAt: '2025-06-02T10:07:00.000Z',
      by: { kind: 'admin', adminId: 'a-1', reason: 'lost phone' },
    },
  },
];

describe('upcast', () => {
  it.each(CURRENT_EVENTS.map((event) => [event.type, event] as const))('reads a stored v1 %s as is', (_type, event) => {
    const stored = JSON.parse(JSON.stringify(event.data)) as StoredEventData;
    expect(upcast(event.type, stored)).toEqual(event);
  });

  it('refuses an event type that is not this stream’s', () => {
    expect(() => upcast('UserRegistered', { schemaVersion: 1 })).toThrow(UnknownEventType);
    expect(() => upcast('toString', { schemaVersion: 1 })).toThrow(UnknownEventType);
  });

  it.each([
    ['a version newer than the code', 2],
    ['version 0', 0],
    ['a string', '1'],
    ['a fraction', 1.5],
    ['no version at all', undefined],
  ])('refuses %s with a typed error', (_label, schemaVersion) => {
    const data = schemaVersion === undefined ? {} : { schemaVersion };
    let thrown: unknown;
    try {
      upcast('MfaActivated', data);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UnsupportedSchemaVersion);
    expect(thrown).toMatchObject({ type: 'MfaActivated' });
  });
});

describe('encodeMfaEvent / decodeMfaEvent', () => {
  it.each(CURRENT_EVENTS.map((event) => [event.type, event] as const))(
    'round-trips %s through JSON',
    (_type, event) => {
      const encoded = encodeMfaEvent(event);
      expect(encoded.metadata).toEqual({ schemaVersion: 1 });
      const stored = JSON.parse(JSON.stringify(encoded)) as { type: string; data: StoredEventData };
      expect(decodeMfaEvent(stored)).toEqual(event);
    },
  );
});
