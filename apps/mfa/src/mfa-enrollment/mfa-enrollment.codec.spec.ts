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

/** The domain events those payloads stand for: the same fields without the version, lifted to version 2 where there is one. */
const asDomainEvent = ({ type, data }: (typeof STORED_V1)[number]) => {
  const { schemaVersion: _version, ...payload } = data;
  switch (type) {
    case 'MfaChallengeVerified':
      return { type, data: { ...payload, challengeId: null } } as MfaEnrollmentEvent;
    case 'MfaChallengeFailed':
      return {
        type,
        data: {
          ...payload,
          failuresSinceSuccess: payload['consecutiveFailures'],
          locksSinceSuccess: payload['lockedUntil'] === null ? 0 : 1,
          requiresAdminReset: false,
          challengeId: null,
        },
      } as MfaEnrollmentEvent;
    default:
      return { type, data: payload } as MfaEnrollmentEvent;
  }
};

const byType = STORED_V1.map((stored) => [stored.type, stored] as const);
const STILL_V1 = new Set(['MfaEnrollmentStarted', 'MfaActivated', 'MfaDeactivated']);
const unchangedTypes = byType.filter(([type]) => STILL_V1.has(type));

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

describe('version 2 of MfaChallengeVerified and MfaChallengeFailed (issue 8), lifted from version 1', () => {
  const LOCK_END = '2025-06-02T10:11:00.000Z';
  const v1Failure = (consecutiveFailures: number, lockedUntil: string | null, reason = 'invalid_code') => ({
    schemaVersion: 1,
    purpose: 'login',
    reason,
    failedAt: '2025-06-02T10:06:00.000Z',
    consecutiveFailures,
    lockedUntil,
    context: null,
  });

  it('reads a v1 verification as one that used no mfaToken up', () => {
    expect(decode('MfaChallengeVerified', STORED_V1[2]!.data)).toMatchObject({ data: { challengeId: null } });
  });

  it('reads a v1 failure by what it can vouch for: its count since the last success, its lock as the first', () => {
    expect(decode('MfaChallengeFailed', v1Failure(3, null)).data).toEqual({
      purpose: 'login',
      reason: 'invalid_code',
      failedAt: '2025-06-02T10:06:00.000Z',
      consecutiveFailures: 3,
      failuresSinceSuccess: 3,
      locksSinceSuccess: 0,
      lockedUntil: null,
      requiresAdminReset: false,
      challengeId: null,
      context: null,
    });
    expect(decode('MfaChallengeFailed', v1Failure(5, LOCK_END)).data).toMatchObject({
      failuresSinceSuccess: 5,
      locksSinceSuccess: 1,
      lockedUntil: LOCK_END,
      requiresAdminReset: false,
    });
    expect(decode('MfaChallengeFailed', v1Failure(5, LOCK_END, 'locked')).data).toMatchObject({ locksSinceSuccess: 1 });
  });

  it('lets a stream locked under version 1 escalate: its next lock is the second', () => {
    const decider = mfaEnrollmentDecider();
    const v1Stream = [
      decode('MfaEnrollmentStarted', STORED_V1[0]!.data),
      decode('MfaActivated', STORED_V1[1]!.data),
      ...[1, 2, 3, 4].map((n) => decode('MfaChallengeFailed', v1Failure(n, null))),
      decode('MfaChallengeFailed', v1Failure(5, LOCK_END)),
    ];
    const lockEnd = new Date(LOCK_END);
    let state = v1Stream.reduce(decider.evolve, decider.initialState());
    const failures = [];
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      const command = {
        type: 'VerifyChallenge',
        data: { now: lockEnd, matchedStep: null, challengeId: 'token-1', context: { ip: '::1', userAgent: 'x' } },
      } as const;
      const [failure] = decider.decide(command, state);
      failures.push(failure!);
      state = decider.evolve(state, failure!);
    }
    expect(failures.at(-1)).toMatchObject({
      data: {
        consecutiveFailures: 5,
        failuresSinceSuccess: 10,
        locksSinceSuccess: 2,
        lockedUntil: new Date(lockEnd.getTime() + 600_000).toISOString(),
      },
    });
  });

  it('reads a stored v2 payload as it is', () => {
    const v2 = {
      schemaVersion: 2,
      step: 58_000_010,
      verifiedAt: '2025-06-02T10:05:00.000Z',
      challengeId: '6f1c0f5e-4b8e-4c1e-9a51-1d6a4f1e2b3c',
      context: { ip: '::1', userAgent: 'curl' },
    };
    const { schemaVersion: _version, ...payload } = v2;
    expect(decode('MfaChallengeVerified', v2)).toEqual({ type: 'MfaChallengeVerified', data: payload });
  });
});

describe('encode', () => {
  it.each(unchangedTypes)('stores %s exactly as version 1 did, its version in the metadata too', (_type, stored) => {
    const encoded = mfaEnrollmentCodec.encode(asDomainEvent(stored));
    expect(encoded).toEqual({ type: stored.type, data: stored.data, metadata: { schemaVersion: 1 } });
  });

  it('stores a verification and a failure as version 2, with the new fields', () => {
    const [, , verifiedV1, failedV1] = STORED_V1;
    expect(mfaEnrollmentCodec.encode(asDomainEvent(verifiedV1!))).toEqual({
      type: 'MfaChallengeVerified',
      data: { ...verifiedV1!.data, schemaVersion: 2, challengeId: null },
      metadata: { schemaVersion: 2 },
    });
    expect(mfaEnrollmentCodec.encode(asDomainEvent(failedV1!))).toEqual({
      type: 'MfaChallengeFailed',
      data: {
        ...failedV1!.data,
        schemaVersion: 2,
        failuresSinceSuccess: 1,
        locksSinceSuccess: 0,
        requiresAdminReset: false,
        challengeId: null,
      },
      metadata: { schemaVersion: 2 },
    });
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
