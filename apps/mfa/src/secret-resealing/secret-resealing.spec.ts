import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MfaRpc } from '#contracts';
import { loadConfig } from '#config';
import { SqliteEventStore, WrongExpectedVersion, type EventStore } from '#event-store';
import { mfaStreamName } from '../mfa-enrollment/mfa-enrollment.events.js';
import { MfaEnrollmentRepository } from '../mfa-enrollment/mfa-enrollment.repository.js';
import { CONTEXT, T0, activeUser, appCode, currentStep, startMfaService, wrongCode } from '../mfa.testing.js';
import { generateEncryptionKey, keyIdOf, SecretDecryptionFailed } from '../totp/secret-cipher.js';
import { EncryptionKeyNotConfigured, operatorKeyRing } from './operator-key-ring.js';
import { SecretResealing } from './secret-resealing.js';

const idOf = (key: string) => keyIdOf(Buffer.from(key, 'base64'));
const [KEY_A, KEY_B] = [generateEncryptionKey(), generateEncryptionKey()];

/** The use case as `ops reencrypt` drives it: the mfa configuration, its own connection to the store. */
function resealingOn(store: EventStore, env: Record<string, string>, now: () => Date) {
  const config = loadConfig('mfa', { DATA_DIR: '/nonexistent', ...env });
  return new SecretResealing(new MfaEnrollmentRepository(store, config), operatorKeyRing(config), now);
}

describe('resealing TOTP secrets under the current key (ops reencrypt)', { timeout: 30_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mfa-reseal-'));
  const rotating = { MFA_ENCRYPTION_KEY: KEY_B, MFA_PREVIOUS_ENCRYPTION_KEYS: KEY_A };
  let secret = '';
  let pendingSecret = '';

  beforeAll(async () => {
    // Under key A: an active user (with recovery codes), one who has only started, one reset.
    const service = await startMfaService({ dataDir, env: { MFA_ENCRYPTION_KEY: KEY_A } });
    try {
      ({ secret } = await activeUser(service, 'active'));
      ({ secret: pendingSecret } = await service.ok(MfaRpc.startEnrollment, { userId: 'pending', label: 'p@x.org' }));
      await activeUser(service, 'reset');
      await service.ok(MfaRpc.reset, { userId: 'reset', adminId: 'admin-1', reason: 'phone lost' });
    } finally {
      await service.close();
    }
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('refuses to run without the current key configured, and never creates the development key file', () => {
    expect(() => operatorKeyRing(loadConfig('mfa', { DATA_DIR: dataDir }))).toThrow(EncryptionKeyNotConfigured);
    expect(() => operatorKeyRing(loadConfig('mfa', { DATA_DIR: dataDir }))).toThrow(/MFA_ENCRYPTION_KEY is not set/);
  });

  it('cannot open a secret whose key is not in the ring: it names the key, and writes nothing', async () => {
    const store = new SqliteEventStore(join(dataDir, 'mfa.sqlite'));
    try {
      const before = await store.read(mfaStreamName('active'));
      const resealing = resealingOn(store, { MFA_ENCRYPTION_KEY: KEY_B }, () => T0);
      await expect(resealing.reseal('active')).rejects.toThrow(SecretDecryptionFailed);
      await expect(resealing.reseal('active')).rejects.toThrow(`uses key ${idOf(KEY_A)}, which is not in the key ring`);
      expect(await store.read(mfaStreamName('active'))).toEqual(before);
    } finally {
      await store.close();
    }
  });

  it('reseals while the service runs with the new key ring, deciding again after the service wrote first', async () => {
    const live = await startMfaService({ dataDir, env: rotating, now: new Date(T0.getTime() + 60_000) });
    let interfered = false;
    // The service appends a failed check to the stream between the resealing's read and its append.
    const racing = new Proxy(live.store, {
      get(target, property) {
        if (property === 'append') {
          return async (...args: Parameters<EventStore['append']>) => {
            if (!interfered && args[0] === mfaStreamName('active')) {
              interfered = true;
              await live.call(MfaRpc.verifyChallenge, {
                userId: 'active',
                code: wrongCode(
                  secret,
                  [-1, 0, 1].map((d) => currentStep(live) + d),
                ),
                context: CONTEXT,
                challengeId: crypto.randomUUID(),
              });
            }
            return target.append(...args);
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    try {
      const resealing = resealingOn(racing, rotating, () => live.clock.now());
      expect(await resealing.reseal('active')).toEqual({ outcome: 'resealed', recoveryCodesKeyId: idOf(KEY_A) });
      expect(interfered).toBe(true);
      expect(await resealing.reseal('pending')).toEqual({ outcome: 'resealed', recoveryCodesKeyId: null });
      expect(await resealing.reseal('reset')).toEqual({ outcome: 'no_secret', recoveryCodesKeyId: null });
      expect(await resealing.reseal('nobody')).toEqual({ outcome: 'no_secret', recoveryCodesKeyId: null });
      // Again: nothing left to do.
      expect(await resealing.reseal('active')).toEqual({ outcome: 'already_current', recoveryCodesKeyId: idOf(KEY_A) });
      expect(await resealing.reseal('pending')).toEqual({ outcome: 'already_current', recoveryCodesKeyId: null });

      const stream = await live.store.read(mfaStreamName('active'));
      expect(stream.slice(-2).map((event) => event.type)).toEqual(['MfaChallengeFailed', 'MfaSecretResealed']);
      expect(stream.filter((event) => event.type === 'MfaSecretResealed')).toHaveLength(1);
      const resealed = stream.at(-1)!;
      expect(resealed.data).toMatchObject({ schemaVersion: 1, secret: { keyId: idOf(KEY_B) } });
      expect(JSON.stringify(resealed.data)).not.toContain(secret);
      // The admin's audit history names it, and shows nothing of it.
      const history = await live.ok(MfaRpc.getHistory, { userId: 'active' });
      expect(history.events.at(-1)).toMatchObject({ type: 'MfaSecretResealed', revision: resealed.revision, data: {} });
    } finally {
      await live.close();
    }
    expect(readFileSync(join(dataDir, 'mfa.sqlite')).includes(Buffer.from(secret))).toBe(false);
  });

  it('leaves codes working under the new key alone, the old key retired', async () => {
    const service = await startMfaService({
      dataDir,
      env: { MFA_ENCRYPTION_KEY: KEY_B },
      now: new Date(T0.getTime() + 120_000),
    });
    try {
      const step = currentStep(service);
      await service.ok(MfaRpc.verifyChallenge, {
        userId: 'active',
        code: appCode(secret, step),
        context: CONTEXT,
        challengeId: crypto.randomUUID(),
      });
      expect(
        await service.ok(MfaRpc.activate, {
          userId: 'pending',
          code1: appCode(pendingSecret, step - 1),
          code2: appCode(pendingSecret, step),
        }),
      ).toMatchObject({ status: 'active' });
    } finally {
      await service.close();
    }
  });

  it('gives up on a stream that keeps changing under it with the conflict, after the repository’s retries', async () => {
    const store = new SqliteEventStore(join(dataDir, 'mfa.sqlite'));
    const busy = new Proxy(store, {
      get(target, property) {
        if (property === 'append') {
          return async (stream: string) => {
            throw new WrongExpectedVersion(stream, 0, 1);
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    try {
      const fresh = { MFA_ENCRYPTION_KEY: generateEncryptionKey(), MFA_PREVIOUS_ENCRYPTION_KEYS: KEY_B };
      await expect(resealingOn(busy, fresh, () => T0).reseal('active')).rejects.toThrow(WrongExpectedVersion);
    } finally {
      await store.close();
    }
  });
});
