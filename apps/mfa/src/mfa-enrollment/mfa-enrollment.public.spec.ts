import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INTEGRATION_TOPICS, MfaRpc, type IntegrationEvent } from '#contracts';
import { snapshotStreamOf, type RecordedEvent } from '#event-store';
import { integrationEventsOf, processBus, publicEventOf } from '#messaging';
import type { ServiceUnderTest } from '#testing';
import { activeUser, startMfaService } from '../mfa.testing.js';
import { mfaStreamName } from './mfa-enrollment.events.js';
import { publishedMfaEnrollment } from './mfa-enrollment.public.js';

/** What the relay publishes for a stored event, as the module wires it. */
const toIntegrationEvent = integrationEventsOf(publishedMfaEnrollment);

const recorded = (overrides: Partial<RecordedEvent>): RecordedEvent => ({
  id: '6f1c0f5e-4b8e-4c1e-9a51-1d6a4f1e2b3c',
  stream: 'mfa-u1',
  revision: 3,
  position: 42n,
  type: 'MfaChallengeVerified',
  data: {
    schemaVersion: 1,
    step: 58_000_000,
    verifiedAt: '2025-06-02T10:00:35.000Z',
    context: { ip: '::1', userAgent: 'x' },
  },
  metadata: { schemaVersion: 1 },
  recordedAt: new Date('2025-06-02T10:00:35.120Z'),
  ...overrides,
});

describe('toIntegrationEvent', () => {
  it('publishes an mfa-<userId> event with its id, type, version, user, time and source', () => {
    expect(toIntegrationEvent(recorded({}))).toEqual({
      eventId: '6f1c0f5e-4b8e-4c1e-9a51-1d6a4f1e2b3c',
      type: 'MfaChallengeVerified',
      schemaVersion: 2, // stored as version 1, published lifted to the current version
      aggregateId: 'u1',
      userId: 'u1',
      occurredAt: '2025-06-02T10:00:35.000Z',
      source: { stream: 'mfa-u1', revision: 3, position: '42' },
      data: {
        schemaVersion: 2,
        step: 58_000_000,
        verifiedAt: '2025-06-02T10:00:35.000Z',
        challengeId: null,
        context: { ip: '::1', userAgent: 'x' },
      },
    });
  });

  it.each([snapshotStreamOf('mfa-u1'), 'relay_checkpoint-mfa', 'health-mfa'])('publishes nothing of %s', (stream) => {
    expect(toIntegrationEvent(recorded({ stream, type: 'Snapshot', data: { state: {} } }))).toBeNull();
  });
});

const SEALED = {
  keyId: '0123456789abcdef',
  iv: 'AAAAAAAAAAAAAAAA',
  ciphertext: 'c2VhbGVk',
  tag: 'AAAAAAAAAAAAAAAAAAAAAA==',
};
/** A context with a field the allow-list does not name. */
const CONTEXT_WITH_EXTRA = { ip: '::1', userAgent: 'curl', extra: 'not public' };

/**
 * Stored payloads and their public data, byte for byte: the v1 ones as the
 * service published them before PublishedAggregate, except that verifications
 * and failures are lifted to version 2 (issue 8) first.
 */
const PUBLIC_FORMS: ReadonlyArray<
  readonly [type: string, stored: Record<string, unknown>, occurredAt: string, published: string]
> = [
  [
    'MfaEnrollmentStarted',
    {
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
      futureField: 'private',
    },
    '2025-06-02T10:00:00.000Z',
    '{"schemaVersion":1,"enrollmentId":"enr-1","keyId":"0123456789abcdef","algorithm":"SHA1","digits":6,"period":30,' +
      '"issuer":"Acme","label":"ann@example.com","startedAt":"2025-06-02T10:00:00.000Z","expiresAt":"2025-06-02T10:10:00.000Z"}',
  ],
  [
    'MfaActivated',
    {
      schemaVersion: 1,
      enrollmentId: 'enr-1',
      activatedAt: '2025-06-02T10:01:00.000Z',
      steps: [58_000_001, 58_000_002],
    },
    '2025-06-02T10:01:00.000Z',
    '{"schemaVersion":1,"enrollmentId":"enr-1","activatedAt":"2025-06-02T10:01:00.000Z","steps":[58000001,58000002]}',
  ],
  [
    'MfaChallengeVerified',
    { schemaVersion: 1, step: 58_000_010, verifiedAt: '2025-06-02T10:05:00.000Z', context: CONTEXT_WITH_EXTRA },
    '2025-06-02T10:05:00.000Z',
    '{"schemaVersion":2,"step":58000010,"verifiedAt":"2025-06-02T10:05:00.000Z","challengeId":null,' +
      '"context":{"ip":"::1","userAgent":"curl"}}',
  ],
  [
    'MfaChallengeVerified',
    {
      schemaVersion: 2,
      step: 58_000_011,
      verifiedAt: '2025-06-02T10:05:30.000Z',
      challengeId: '0b9a7c1e-2f3d-4e5a-8b6c-7d8e9f0a1b2c',
      context: CONTEXT_WITH_EXTRA,
    },
    '2025-06-02T10:05:30.000Z',
    '{"schemaVersion":2,"step":58000011,"verifiedAt":"2025-06-02T10:05:30.000Z",' +
      '"challengeId":"0b9a7c1e-2f3d-4e5a-8b6c-7d8e9f0a1b2c","context":{"ip":"::1","userAgent":"curl"}}',
  ],
  [
    'MfaChallengeFailed',
    {
      schemaVersion: 1,
      purpose: 'login',
      reason: 'locked',
      failedAt: '2025-06-02T10:06:00.000Z',
      consecutiveFailures: 5,
      lockedUntil: '2025-06-02T10:11:00.000Z',
      context: CONTEXT_WITH_EXTRA,
    },
    '2025-06-02T10:06:00.000Z',
    '{"schemaVersion":2,"purpose":"login","reason":"locked","failedAt":"2025-06-02T10:06:00.000Z","consecutiveFailures":5,' +
      '"failuresSinceSuccess":5,"locksSinceSuccess":1,"lockedUntil":"2025-06-02T10:11:00.000Z","requiresAdminReset":false,' +
      '"challengeId":null,"context":{"ip":"::1","userAgent":"curl"}}',
  ],
  [
    'MfaChallengeFailed',
    {
      schemaVersion: 2,
      purpose: 'login',
      reason: 'locked',
      failedAt: '2025-06-02T10:06:10.000Z',
      consecutiveFailures: 5,
      failuresSinceSuccess: 100,
      locksSinceSuccess: 20,
      lockedUntil: null,
      requiresAdminReset: true,
      challengeId: '0b9a7c1e-2f3d-4e5a-8b6c-7d8e9f0a1b2c',
      context: CONTEXT_WITH_EXTRA,
      futureField: 'private',
    },
    '2025-06-02T10:06:10.000Z',
    '{"schemaVersion":2,"purpose":"login","reason":"locked","failedAt":"2025-06-02T10:06:10.000Z","consecutiveFailures":5,' +
      '"failuresSinceSuccess":100,"locksSinceSuccess":20,"lockedUntil":null,"requiresAdminReset":true,' +
      '"challengeId":"0b9a7c1e-2f3d-4e5a-8b6c-7d8e9f0a1b2c","context":{"ip":"::1","userAgent":"curl"}}',
  ],
  [
    'MfaChallengeFailed',
    {
      schemaVersion: 1,
      purpose: 'activation',
      reason: 'invalid_code',
      failedAt: '2025-06-02T10:06:30.000Z',
      consecutiveFailures: 0,
      lockedUntil: null,
      context: null,
    },
    '2025-06-02T10:06:30.000Z',
    '{"schemaVersion":2,"purpose":"activation","reason":"invalid_code","failedAt":"2025-06-02T10:06:30.000Z",' +
      '"consecutiveFailures":0,"failuresSinceSuccess":0,"locksSinceSuccess":0,"lockedUntil":null,' +
      '"requiresAdminReset":false,"challengeId":null,"context":null}',
  ],
  [
    'MfaDeactivated',
    {
      schemaVersion: 1,
      deactivatedAt: '2025-06-02T10:07:00.000Z',
      by: { kind: 'user', step: 58_000_020, context: CONTEXT_WITH_EXTRA },
    },
    '2025-06-02T10:07:00.000Z',
    '{"schemaVersion":1,"deactivatedAt":"2025-06-02T10:07:00.000Z","by":{"kind":"user","step":58000020,' +
      '"context":{"ip":"::1","userAgent":"curl"}}}',
  ],
  [
    'MfaDeactivated',
    {
      schemaVersion: 1,
      deactivatedAt: '2025-06-02T10:08:00.000Z',
      by: { kind: 'user', step: 58_000_021, context: null },
    },
    '2025-06-02T10:08:00.000Z',
    '{"schemaVersion":1,"deactivatedAt":"2025-06-02T10:08:00.000Z","by":{"kind":"user","step":58000021,"context":null}}',
  ],
  [
    'MfaDeactivated',
    {
      schemaVersion: 1,
      deactivatedAt: '2025-06-02T10:08:30.000Z',
      by: { kind: 'admin', adminId: 'a-1', reason: 'lost phone' },
    },
    '2025-06-02T10:08:30.000Z',
    '{"schemaVersion":1,"deactivatedAt":"2025-06-02T10:08:30.000Z","by":{"kind":"admin","adminId":"a-1","reason":"lost phone"}}',
  ],
  [
    'MfaDeactivated',
    {
      schemaVersion: 1,
      deactivatedAt: '2025-06-02T10:08:40.000Z',
      by: { kind: 'user', step: null, context: CONTEXT_WITH_EXTRA },
    },
    '2025-06-02T10:08:40.000Z',
    '{"schemaVersion":1,"deactivatedAt":"2025-06-02T10:08:40.000Z","by":{"kind":"user","step":null,' +
      '"context":{"ip":"::1","userAgent":"curl"}}}',
  ],
  [
    'RecoveryCodesGenerated',
    {
      schemaVersion: 1,
      keyId: '0123456789abcdef',
      hashes: Array.from({ length: 10 }, (_, index) => `hash-${index}`),
      generatedAt: '2025-06-02T10:09:00.000Z',
      reason: 'regenerated',
      futureField: 'private',
    },
    '2025-06-02T10:09:00.000Z',
    '{"schemaVersion":1,"count":10,"reason":"regenerated","generatedAt":"2025-06-02T10:09:00.000Z"}',
  ],
  [
    'RecoveryCodeUsed',
    {
      schemaVersion: 1,
      index: 7,
      usedAt: '2025-06-02T10:09:30.000Z',
      challengeId: '0b9a7c1e-2f3d-4e5a-8b6c-7d8e9f0a1b2c',
      context: CONTEXT_WITH_EXTRA,
      remaining: 2,
      futureField: 'private',
    },
    '2025-06-02T10:09:30.000Z',
    '{"schemaVersion":1,"remaining":2,"usedAt":"2025-06-02T10:09:30.000Z",' +
      '"challengeId":"0b9a7c1e-2f3d-4e5a-8b6c-7d8e9f0a1b2c","context":{"ip":"::1","userAgent":"curl"}}',
  ],
];

describe('the public form of each event', () => {
  it.each(PUBLIC_FORMS)(
    'publishes %s in its public form, when it happened by the service clock',
    (type, data, occurredAt, published) => {
      const event = toIntegrationEvent(recorded({ type, data }));
      expect(JSON.stringify(event?.data)).toBe(published);
      expect(event?.occurredAt).toBe(occurredAt);
      const forHistory = publicEventOf([publishedMfaEnrollment], recorded({ type, data }));
      expect(JSON.stringify(forHistory?.data)).toBe(published);
      expect(forHistory?.occurredAt).toBe(occurredAt);
    },
  );
});

describe('what never leaves the service', () => {
  it('publishes no MfaSecretResealed (the operator’s key rotation): its one field of interest is the sealed secret', () => {
    const resealed = recorded({
      type: 'MfaSecretResealed',
      data: { schemaVersion: 1, enrollmentId: 'enr-1', secret: SEALED, resealedAt: '2025-06-02T10:09:30.000Z' },
    });
    expect(toIntegrationEvent(resealed)).toBeNull();
    expect(publicEventOf([publishedMfaEnrollment], resealed)).toBeNull();
  });
});

describe('the relay to auth.mfa.events (in-process transport)', () => {
  let service: ServiceUnderTest<'mfa'>;
  const published: IntegrationEvent[] = [];
  processBus.subscribe(INTEGRATION_TOPICS.mfa, async (event) => {
    published.push(event as IntegrationEvent);
  });

  beforeEach(async () => {
    published.length = 0;
    service = await startMfaService();
  });
  afterEach(() => service.close({ removeData: true }));

  it('publishes every MFA event from the store, without the sealed secret or the recovery code hashes', async () => {
    const { secret, recoveryCodes } = await activeUser(service, 'u1');
    const stored = await service.store.read(mfaStreamName('u1'));
    const sealed = stored[0]!.data['secret'] as Record<string, string>;
    const hashes = stored[2]!.data['hashes'] as string[];
    expect(hashes).toHaveLength(10);

    await expect.poll(() => published.length, { timeout: 5000 }).toBe(3);

    expect(published.map((event) => [event.type, event.userId, event.source.revision])).toEqual([
      ['MfaEnrollmentStarted', 'u1', 0],
      ['MfaActivated', 'u1', 1],
      ['RecoveryCodesGenerated', 'u1', 2],
    ]);
    expect(published[2]!.data).toEqual({
      schemaVersion: 1,
      count: 10,
      reason: 'activation',
      generatedAt: expect.any(String),
    });
    for (const material of [...hashes, ...recoveryCodes]) expect(JSON.stringify(published)).not.toContain(material);
    expect(published.map((event) => event.eventId)).toEqual(stored.map((event) => event.id));
    expect(published[0]!.data).toMatchObject({ keyId: sealed['keyId'], label: 'u1@example.com' });
    const json = JSON.stringify(published);
    for (const material of [secret, sealed['ciphertext']!, sealed['iv']!, sealed['tag']!])
      expect(json).not.toContain(material);
  });

  it('publishes no snapshots', async () => {
    const { secret } = await activeUser(service, 'u1');
    for (let i = 0; i < 60; i += 1) {
      await service.call(MfaRpc.verifyChallenge, {
        userId: 'u1',
        code: '000000',
        context: { ip: '::1', userAgent: 'x' },
        challengeId: crypto.randomUUID(),
      });
      service.clock.advanceSeconds(301); // every call records an event, locked or not
    }
    const snapshots = await service.store.read(snapshotStreamOf(mfaStreamName('u1')));
    expect(snapshots.length).toBeGreaterThan(0);

    await expect.poll(() => published.length, { timeout: 10_000 }).toBe(63);
    expect(published.every((event) => event.source.stream === 'mfa-u1')).toBe(true);
    expect(JSON.stringify(published)).not.toContain(secret);
  });
});
