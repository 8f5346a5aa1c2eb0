import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainError } from '#contracts';
import { loadConfig } from '#config';
import { SqliteEventStore, snapshotStreamOf, type EventStore, type ReadOptions } from '#event-store';
import { recoveryCodeHashes } from '../recovery-codes/recovery-codes.testing.js';
import { generateEncryptionKey, SecretCipher } from '../totp/secret-cipher.js';
import { DEFAULT_TOTP_PARAMETERS, generateSecret, timeStep } from '../totp/totp.js';
import { mfaEnrollmentCodec } from './mfa-enrollment.codec.js';
import { mfaStreamName } from './mfa-enrollment.events.js';
import { MfaEnrollmentRepository, SNAPSHOT_EVERY } from './mfa-enrollment.repository.js';
import { stateFrom } from './mfa-enrollment.state.js';

/** The store, counting the events each read hands back. */
class CountingStore implements EventStore {
  eventsRead = 0;
  constructor(private readonly inner: EventStore) {}
  append: EventStore['append'] = (...args) => this.inner.append(...args);
  subscribeToAll: EventStore['subscribeToAll'] = (...args) => this.inner.subscribeToAll(...args);
  countEventsAfter: EventStore['countEventsAfter'] = (...args) => this.inner.countEventsAfter(...args);
  truncateBefore: EventStore['truncateBefore'] = (...args) => this.inner.truncateBefore(...args);
  close = () => this.inner.close();
  async read(stream: string, options?: ReadOptions) {
    const events = await this.inner.read(stream, options);
    this.eventsRead += events.length;
    return events;
  }
}

describe('MfaEnrollmentRepository', () => {
  const t0 = new Date('2025-06-02T10:00:05Z');
  const context = { ip: '::1', userAgent: 'spec' };
  let dataDir: string;
  let store: CountingStore;
  let enrollments: MfaEnrollmentRepository;
  /** The same store through another repository: another instance of the service, or this one restarted. */
  let elsewhere: () => MfaEnrollmentRepository;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mfa-enrollments-'));
    store = new CountingStore(new SqliteEventStore(join(dataDir, 'mfa.sqlite')));
    const config = loadConfig('mfa', {
      DATA_DIR: dataDir,
      MFA_MAX_FAILED_ATTEMPTS: '100000',
      MFA_PERMANENT_LOCK_AFTER: '100000',
    });
    enrollments = new MfaEnrollmentRepository(store, config);
    elsewhere = () => new MfaEnrollmentRepository(store, config);
    const cipher = new SecretCipher({ current: generateEncryptionKey() });
    await enrollments.execute('u1', () => ({
      type: 'StartEnrollment',
      data: {
        now: t0,
        enrollmentId: 'enr-1',
        secret: cipher.encrypt(generateSecret(), 'u1'),
        ...DEFAULT_TOTP_PARAMETERS,
        issuer: 'Acme',
        label: 'ann@example.com',
        ttlSeconds: 600,
      },
    }));
    const step = timeStep(t0, 30);
    await enrollments.execute('u1', () => ({
      type: 'Activate',
      data: { now: t0, steps: [step - 1, step], recoveryCodes: recoveryCodeHashes() },
    }));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const failVerification = (now: Date) =>
    enrollments
      .execute('u1', () => ({
        type: 'VerifyChallenge',
        data: { now, matchedStep: null, challengeId: crypto.randomUUID(), context },
      }))
      .catch((error: unknown) => error);

  it('answers a failed check with the contract error, after storing it', async () => {
    const error = await failVerification(t0);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'invalid_code', message: 'the code is not valid' });
    expect((await store.read(mfaStreamName('u1'))).at(-1)?.type).toBe('MfaChallengeFailed');
  });

  it('answers a refusal of the decider with the contract error, storing nothing', async () => {
    const now = t0;
    const refused = await enrollments
      .execute('u1', () => ({ type: 'Deactivate', data: { now, matchedStep: null, confirm: false } }))
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ code: 'confirmation_required' });
    expect(await store.read(mfaStreamName('u1'))).toHaveLength(3); // started, activated, its recovery codes
  });

  it(`loads a long stream from its newest snapshot: at most ${SNAPSHOT_EVERY} events are read, whatever the length`, async () => {
    for (let i = 0; i < 520; i += 1) await failVerification(new Date(t0.getTime() + i * 1000));
    const all = await store.read(mfaStreamName('u1'));
    expect(all).toHaveLength(523);
    // At least ten snapshots were saved (the older ones are truncated as newer ones come): the newest is the tenth or later.
    const [newest] = await store.read(snapshotStreamOf(mfaStreamName('u1')), { direction: 'backwards', maxCount: 1 });
    expect(newest?.revision).toBeGreaterThanOrEqual(9);

    store.eventsRead = 0;
    const state = await elsewhere().stateOf('u1');

    expect(store.eventsRead).toBeLessThanOrEqual(SNAPSHOT_EVERY); // one snapshot + the events after it
    expect(state).toEqual(stateFrom(all.map((recorded) => mfaEnrollmentCodec.decode(recorded))));
    expect(state).toMatchObject({ status: 'active', consecutiveFailures: 520 });
  });

  it('replays the stream when the snapshot is of another version', async () => {
    for (let i = 0; i < 60; i += 1) await failVerification(new Date(t0.getTime() + i * 1000));
    await store.append(
      snapshotStreamOf(mfaStreamName('u1')),
      [{ id: crypto.randomUUID(), type: 'Snapshot', data: { version: 99, revision: 62, state: { status: 'none' } } }],
      'any',
    );

    store.eventsRead = 0;
    const state = await elsewhere().stateOf('u1');

    expect(store.eventsRead).toBe(1 + 63);
    expect(state).toMatchObject({ status: 'active', consecutiveFailures: 60 });
  });

  it('reads only the events after the state it last loaded or made, including those another instance appended', async () => {
    for (let i = 0; i < 10; i += 1) await failVerification(new Date(t0.getTime() + i * 1000));
    store.eventsRead = 0;
    expect(await enrollments.stateOf('u1')).toMatchObject({ consecutiveFailures: 10 });
    expect(store.eventsRead).toBe(0);

    const other = elsewhere();
    await other
      .execute('u1', () => ({
        type: 'VerifyChallenge',
        data: { now: new Date(t0.getTime() + 60_000), matchedStep: null, challengeId: crypto.randomUUID(), context },
      }))
      .catch(() => undefined);
    store.eventsRead = 0;
    expect(await enrollments.stateOf('u1')).toMatchObject({ consecutiveFailures: 11 });
    expect(store.eventsRead).toBe(1);
    // Its next command decides on that state and appends after the other instance's event.
    await failVerification(new Date(t0.getTime() + 61_000));
    expect(await other.stateOf('u1')).toEqual(await elsewhere().stateOf('u1'));
    expect(await elsewhere().stateOf('u1')).toMatchObject({ consecutiveFailures: 12 });
  });
});
