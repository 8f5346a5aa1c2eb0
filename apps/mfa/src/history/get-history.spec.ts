import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MFA_HISTORY_PAGE_SIZE, MfaRpc } from '#contracts';
import { mfaStreamName } from '../mfa-enrollment/mfa-enrollment.events.js';
import type { ServiceUnderTest } from '#testing';
import {
  activeUser,
  appCode,
  CONTEXT,
  currentStep,
  recoveryCodesOf,
  startMfaService,
  wrongCode,
} from '../mfa.testing.js';
import { SecretCipher } from '../totp/secret-cipher.js';

const RECOVERY_LOGIN = '0b9a7c1e-2f3d-4e5a-8b6c-7d8e9f0a1b2c';

describe('mfa.get-history', () => {
  let service: ServiceUnderTest<'mfa'>;
  let secret: string;
  const typedCodes: string[] = [];
  let recoveryCodes: string[] = [];

  /**
   * Enrol, a failed activation, activate (with recovery codes), log in, a
   * wrong code, log in with a recovery code, deactivate, admin reset of a new set-up.
   */
  async function lifecycle(): Promise<void> {
    ({ secret } = await service.ok(MfaRpc.startEnrollment, { userId: 'u1', label: 'ann@example.com' }));
    const step = currentStep(service);
    const type = (code: string) => (typedCodes.push(code), code);
    await service.call(MfaRpc.activate, {
      userId: 'u1',
      code1: type(appCode(secret, step)),
      code2: type(appCode(secret, step - 1)),
    });
    recoveryCodes = recoveryCodesOf(
      await service.ok(MfaRpc.activate, {
        userId: 'u1',
        code1: type(appCode(secret, step - 1)),
        code2: type(appCode(secret, step)),
      }),
    );
    service.clock.advanceSeconds(30);
    const now = currentStep(service);
    await service.ok(MfaRpc.verifyChallenge, {
      userId: 'u1',
      code: type(appCode(secret, now)),
      context: CONTEXT,
      challengeId: crypto.randomUUID(),
    });
    const wrong = type(wrongCode(secret, [now - 1, now, now + 1]));
    await service.call(MfaRpc.verifyChallenge, {
      userId: 'u1',
      code: wrong,
      context: CONTEXT,
      challengeId: crypto.randomUUID(),
    });
    await service.ok(MfaRpc.verifyRecoveryCode, {
      userId: 'u1',
      recoveryCode: recoveryCodes[0],
      context: CONTEXT,
      challengeId: RECOVERY_LOGIN,
    });
    await service.ok(MfaRpc.deactivate, {
      userId: 'u1',
      code: type(appCode(secret, now + 1)),
      confirm: true,
      context: CONTEXT,
    });
    await service.ok(MfaRpc.startEnrollment, { userId: 'u1', label: 'ann@example.com' });
    await service.ok(MfaRpc.reset, { userId: 'u1', adminId: 'admin-1', reason: 'phone lost' });
  }

  beforeEach(async () => {
    service = await startMfaService({ env: { TOTP_ISSUER: 'Acme' } });
    typedCodes.length = 0;
  });
  afterEach(() => service.close({ removeData: true }));

  it('lists the stream oldest first with type, revision, when it happened and the data', async () => {
    const t0 = service.clock.now().toISOString();
    await lifecycle();

    const { events } = await service.ok(MfaRpc.getHistory, { userId: 'u1' });

    expect(events.map((event) => [event.revision, event.type])).toEqual([
      [0, 'MfaEnrollmentStarted'],
      [1, 'MfaChallengeFailed'],
      [2, 'MfaActivated'],
      [3, 'RecoveryCodesGenerated'],
      [4, 'MfaChallengeVerified'],
      [5, 'MfaChallengeFailed'],
      [6, 'RecoveryCodeUsed'],
      [7, 'MfaDeactivated'],
      [8, 'MfaEnrollmentStarted'],
      [9, 'MfaDeactivated'],
    ]);
    expect(events[0]!.occurredAt).toBe(t0);
    expect(events[4]).toMatchObject({
      occurredAt: service.clock.now().toISOString(),
      data: { context: CONTEXT, verifiedAt: service.clock.now().toISOString() },
    });
    expect(events[1]!.data).toMatchObject({ purpose: 'activation', reason: 'invalid_code' });
    expect(events[3]).toEqual({
      type: 'RecoveryCodesGenerated',
      revision: 3,
      occurredAt: t0,
      data: { schemaVersion: 1, count: 10, reason: 'activation', generatedAt: t0 },
    });
    const now = service.clock.now().toISOString();
    expect(events[6]).toEqual({
      type: 'RecoveryCodeUsed',
      revision: 6,
      occurredAt: now,
      data: { schemaVersion: 1, remaining: 9, usedAt: now, challengeId: RECOVERY_LOGIN, context: CONTEXT },
    });
    expect(events[9]!.data).toMatchObject({ by: { kind: 'admin', adminId: 'admin-1', reason: 'phone lost' } });
  });

  it('shows an enrollment by its key id and parameters, without the sealed secret or its ciphertext', async () => {
    await lifecycle();
    const stored = await service.store.read(mfaStreamName('u1'));
    const sealed = stored[0]!.data['secret'] as Record<string, string>;
    const hashes = stored[3]!.data['hashes'] as string[];
    expect(hashes).toHaveLength(10);

    const { events } = await service.ok(MfaRpc.getHistory, { userId: 'u1' });

    const keyId = new SecretCipher({ current: service.config.MFA_ENCRYPTION_KEY! }).currentKeyId;
    expect(events[0]!.data).toEqual({
      schemaVersion: 1,
      enrollmentId: expect.any(String),
      keyId,
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
      issuer: 'Acme',
      label: 'ann@example.com',
      startedAt: expect.any(String),
      expiresAt: expect.any(String),
    });
    const json = JSON.stringify(events);
    for (const material of [
      secret,
      sealed['ciphertext']!,
      sealed['iv']!,
      sealed['tag']!,
      service.config.MFA_ENCRYPTION_KEY!,
    ]) {
      expect(json).not.toContain(material);
    }
    expect(json).not.toMatch(/"(secret|ciphertext|iv|tag|hashes|index)"/);
    for (const code of typedCodes) expect(json).not.toContain(`"${code}"`);
    for (const material of [...recoveryCodes, ...hashes]) expect(json).not.toContain(material);
  });

  it('is empty for a user without MFA events', async () => {
    expect(await service.ok(MfaRpc.getHistory, { userId: 'nobody' })).toEqual({ events: [], nextRevision: null });
  });

  it('pages: maxCount events from fromRevision, and where the next page starts', async () => {
    await lifecycle(); // 10 events
    const page = async (fromRevision: number) => {
      const { events, nextRevision } = await service.ok(MfaRpc.getHistory, { userId: 'u1', fromRevision, maxCount: 3 });
      return [events.map((event) => event.revision), nextRevision];
    };

    expect(await page(0)).toEqual([[0, 1, 2], 3]);
    expect(await page(3)).toEqual([[3, 4, 5], 6]);
    expect(await page(6)).toEqual([[6, 7, 8], 9]);
    expect(await page(9)).toEqual([[9], null]);
    expect(await page(10)).toEqual([[], null]);
  });

  it(`answers at most ${MFA_HISTORY_PAGE_SIZE} events at once, so an answer fits in a Kafka message`, async () => {
    await activeUser(service, 'u1'); // 3 events
    // The largest events there are: a wrong code with the longest context the contract lets in.
    const context = { ip: 'f'.repeat(64), userAgent: 'u'.repeat(512) };
    for (let attempt = 0; attempt <= MFA_HISTORY_PAGE_SIZE; attempt += 1) {
      await service.call(MfaRpc.verifyChallenge, {
        userId: 'u1',
        code: '000000',
        context,
        challengeId: crypto.randomUUID(),
      });
    }

    const first = await service.ok(MfaRpc.getHistory, { userId: 'u1' });
    expect(first.events).toHaveLength(MFA_HISTORY_PAGE_SIZE);
    expect(first.nextRevision).toBe(MFA_HISTORY_PAGE_SIZE);
    expect(Buffer.byteLength(JSON.stringify(first))).toBeLessThan(1024 * 1024 * 0.75);
    const rest = await service.ok(MfaRpc.getHistory, { userId: 'u1', fromRevision: MFA_HISTORY_PAGE_SIZE });
    expect(rest.events.map((event) => event.revision)).toEqual([500, 501, 502, 503]);
    expect(rest.nextRevision).toBeNull();
    expect(await service.call(MfaRpc.getHistory, { userId: 'u1', maxCount: MFA_HISTORY_PAGE_SIZE + 1 })).toMatchObject({
      error: { code: 'invalid_payload' },
    });
  });

  it('answers a missing user id with invalid_payload', async () => {
    expect(await service.call(MfaRpc.getHistory, {})).toMatchObject({ error: { code: 'invalid_payload' } });
  });
});
