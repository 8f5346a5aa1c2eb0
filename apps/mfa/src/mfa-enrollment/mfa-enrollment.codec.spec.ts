import { describe, expect, it } from 'vitest';
import { UnknownEventType, UnsupportedSchemaVersion, type StoredEventData } from '#event-store';
import type { SealedSecret } from '../totp/secret-cipher.js';
import { mfaEnrollmentCodec } from './mfa-enrollment.codec.js';
import { mfaEnrollmentDecider } from './mfa-enrollment.decider.js';
import type { MfaEnrollmentEvent } from './mfa-enrollment.events.js';

const decode = (type: string, data: StoredEventData) => mfaEnrollmentCodec.decode({ stream: 'mfa-u1', type, data });

const SEALED: SealedSecret = {
  keyId: '0123456789abcdef',
  iv: 'AAAAAAAAAAAAAAAA',
  ciphertext: 'c2VhbGVk',
  tag: 'AAAAAAAAAAAAAAAAAAAAAA==',
};

/** Payloads exactly as version 1 stored them, before the codec took `schemaVersion` over from the decider. */
const STORED_V1: ReadonlyArray<{ readonly type: MfaEnrollmentEvent['type']; readonly data: StoredEventData }> = [
  {
    type: 'MfaEnrollmentStarted',
    data: {
      schemaVersion: 1,
      enrollmentId: 'enr-1',
      secret: SEALED,
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

/** The domain events those payloads stand for: the same fields, no version. */
const asDomainEvent = ({ type, data }: (typeof STORED_V1)[number]) => {
  const { schemaVersion: _version, ...payload } = data;
  return { type, data: payload } as MfaEnrollmentEvent;
};

const byType = STORED_V1.map((stored) => [stored.type, stored] as const);

describe('decode', () => {
  it.each(byType)('reads a stored v1 %s as the current event', (_type, stored) => {
    const json = JSON.parse(JSON.stringify(stored.data)) as StoredEventData;
    expect(decode(stored.type, json)).toEqual(asDomainEvent(stored));
  });

  it('refuses an event type that is not this stream’s', () => {
    expect(() => decode('UserRegistered', { schemaVersion: 1 })).toThrow(UnknownEventType);
    expect(() => decode('toString', { schemaVersion: 1 })).toThrow(UnknownEventType);
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
      decode('MfaActivated', data);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UnsupportedSchemaVersion);
    expect(thrown).toMatchObject({ type: 'MfaActivated' });
  });
});

describe('encode', () => {
  it.each(byType)('stores %s exactly as version 1 did, its version in the metadata too', (_type, stored) => {
    const encoded = mfaEnrollmentCodec.encode(asDomainEvent(stored));
    expect(encoded).toEqual({ type: stored.type, data: stored.data, metadata: { schemaVersion: 1 } });
  });

  it.each(byType)('round-trips %s through JSON', (_type, stored) => {
    const event = asDomainEvent(stored);
    const json = JSON.parse(JSON.stringify(mfaEnrollmentCodec.encode(event))) as {
      type: string;
      data: StoredEventData;
    };
    expect(mfaEnrollmentCodec.decode(json)).toEqual(event);
  });
});

describe('what the decider decides', () => {
  it('is stored exactly as before the codec took over the version', () => {
    const decider = mfaEnrollmentDecider();
    const [started] = decider.decide(
      {
        type: 'StartEnrollment',
        data: {
          now: new Date('2025-06-02T10:00:00.000Z'),
          enrollmentId: 'enr-1',
          secret: SEALED,
          algorithm: 'SHA1',
          digits: 6,
          period: 30,
          issuer: 'Acme',
          label: 'ann@example.com',
          ttlSeconds: 600,
        },
      },
      decider.initialState(),
    );
    const [reset] = decider.decide(
      { type: 'Reset', data: { now: new Date('2025-06-02T10:07:00.000Z'), adminId: 'a-1', reason: 'lost phone' } },
      decider.evolve(decider.initialState(), started!),
    );

    expect([started!, reset!].map((event) => mfaEnrollmentCodec.encode(event).data)).toEqual([
      STORED_V1[0]!.data,
      STORED_V1[4]!.data,
    ]);
  });
});
