import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INTEGRATION_TOPICS, MfaRpc, type IntegrationEvent } from '#contracts';
import { snapshotStreamOf, type RecordedEvent } from '#event-store';
import { processBus } from '#messaging';
import { mfaStreamName } from '../mfa-enrollment/mfa-enrollment.events.js';
import { activeUser, startMfaService, type MfaServiceUnderTest } from '../testing/mfa-service.testing.js';
import { toIntegrationEvent } from './integration-event.js';

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
      schemaVersion: 1,
      aggregateId: 'u1',
      userId: 'u1',
      occurredAt: '2025-06-02T10:00:35.000Z',
      source: { stream: 'mfa-u1', revision: 3, position: '42' },
      data: {
        schemaVersion: 1,
        step: 58_000_000,
        verifiedAt: '2025-06-02T10:00:35.000Z',
        context: { ip: '::1', userAgent: 'x' },
      },
    });
  });

  it.each([snapshotStreamOf('mfa-u1'), 'relay_checkpoint-mfa', 'health-mfa'])('publishes nothing of %s', (stream) => {
    expect(toIntegrationEvent(recorded({ stream, type: 'Snapshot', data: { state: {} } }))).toBeNull();
  });
});

describe('the relay to auth.mfa.events (in-process transport)', () => {
  let service: MfaServiceUnderTest;
  const published: IntegrationEvent[] = [];
  processBus.subscribe(INTEGRATION_TOPICS.mfa, async (event) => {
    published.push(event as IntegrationEvent);
  });

  beforeEach(async () => {
    published.length = 0;
    service = await startMfaService();
  });
  afterEach(() => service.close({ removeData: true }));

  it('publishes every MFA event from the store, without the sealed secret', async () => {
    const { secret } = await activeUser(service, 'u1');
    const stored = await service.store.read(mfaStreamName('u1'));
    const sealed = stored[0]!.data['secret'] as Record<string, string>;

    await expect.poll(() => published.length, { timeout: 5000 }).toBe(2);

    expect(published.map((event) => [event.type, event.userId, event.source.revision])).toEqual([
      ['MfaEnrollmentStarted', 'u1', 0],
      ['MfaActivated', 'u1', 1],
    ]);
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
      });
      service.clock.advanceSeconds(301); // stay clear of the lock-out
    }
    const snapshots = await service.store.read(snapshotStreamOf(mfaStreamName('u1')));
    expect(snapshots.length).toBeGreaterThan(0);

    await expect.poll(() => published.length, { timeout: 10_000 }).toBe(62);
    expect(published.every((event) => event.source.stream === 'mfa-u1')).toBe(true);
    expect(JSON.stringify(published)).not.toContain(secret);
  });
});
