/**
 * The TOTP secret leaves the service once, in the enrollment answer, and
 * recovery codes once, in the answer that made them. These specs look for
 * them, and for the codes typed, where they must never be: the raw bytes of
 * the event store on disk (database and write-ahead log, snapshots included)
 * and everything the service logged.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ScureBase32Plugin } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MfaRpc } from '#contracts';
import { snapshotStreamOf } from '#event-store';
import { mfaStreamName } from './mfa-enrollment/mfa-enrollment.events.js';
import type { ServiceUnderTest } from '#testing';
import { appCode, CONTEXT, currentStep, recoveryCodesOf, startMfaService, wrongCode } from './mfa.testing.js';

describe('secret material', () => {
  let service: ServiceUnderTest<'mfa'>;
  const secrets: string[] = [];
  const codes: string[] = [];
  const recoveryCodes: string[] = [];

  /** Every form the secret could take if it were stored: base32 (either case), its bytes as base64 and hex. */
  const formsOf = (secret: string): string[] => {
    const bytes = Buffer.from(new ScureBase32Plugin().decode(secret));
    return [secret, secret.toLowerCase(), bytes.toString('base64'), bytes.toString('hex')];
  };
  /** Every form a recovery code could take if it were stored: as shown, as typed in capitals, with or without dashes. */
  const recoveryCodeFormsOf = (code: string): string[] => {
    const bare = code.replaceAll('-', '');
    return [code, code.toUpperCase(), bare, bare.toUpperCase()];
  };
  const storeFiles = () =>
    ['mfa.sqlite', 'mfa.sqlite-wal'].map((name) => join(service.dataDir, name)).filter((path) => existsSync(path));

  beforeAll(async () => {
    service = await startMfaService({ env: { MFA_MAX_FAILED_ATTEMPTS: '1000' } });
    for (const userId of ['u1', 'u2']) {
      const { secret } = await service.ok(MfaRpc.startEnrollment, { userId, label: `${userId}@example.com` });
      secrets.push(secret);
      const step = currentStep(service);
      const [code1, code2] = [appCode(secret, step - 1), appCode(secret, step)];
      codes.push(code1, code2);
      recoveryCodes.push(...recoveryCodesOf(await service.ok(MfaRpc.activate, { userId, code1, code2 })));
    }
    const [secret] = secrets as [string];
    for (let i = 0; i < 60; i += 1) {
      service.clock.advanceSeconds(30);
      const step = currentStep(service);
      const code = i % 2 === 0 ? appCode(secret, step) : wrongCode(secret, [step - 1, step, step + 1]);
      codes.push(code);
      await service.call(MfaRpc.verifyChallenge, {
        userId: 'u1',
        code,
        context: CONTEXT,
        challengeId: crypto.randomUUID(),
      });
    }
    // A recovery code used (right, then again), a wrong one, and a new set.
    for (const recoveryCode of [recoveryCodes[0]!, recoveryCodes[0]!, recoveryCodes[10]!]) {
      await service.call(MfaRpc.verifyRecoveryCode, {
        userId: 'u1',
        recoveryCode,
        context: CONTEXT,
        challengeId: crypto.randomUUID(),
      });
    }
    service.clock.advanceSeconds(30);
    const code = appCode(secret, currentStep(service));
    codes.push(code);
    const regenerated = await service.ok(MfaRpc.regenerateRecoveryCodes, { userId: 'u1', code, context: CONTEXT });
    recoveryCodes.push(...recoveryCodesOf(regenerated));
  });
  afterAll(() => service.close({ removeData: true }));

  it('wrote what these specs look through: events, a snapshot, the write-ahead log', async () => {
    const u1 = await service.store.read(mfaStreamName('u1'));
    expect(u1).toHaveLength(68);
    expect(u1.map((event) => event.type)).toEqual(
      expect.arrayContaining(['RecoveryCodeUsed', 'RecoveryCodesGenerated']),
    );
    expect(recoveryCodes).toHaveLength(30);
    expect((await service.store.read(snapshotStreamOf(mfaStreamName('u1')))).length).toBeGreaterThan(0);
    expect(storeFiles()).toHaveLength(2);
    // Plain text is findable in these bytes: the label is there, the secret must not be.
    const everything = Buffer.concat(storeFiles().map((path) => readFileSync(path)));
    expect(everything.includes('u1@example.com')).toBe(true);
  });

  it('never stores a secret in the event store files, in any encoding', () => {
    for (const path of storeFiles()) {
      const bytes = readFileSync(path);
      for (const secret of secrets) {
        for (const form of formsOf(secret)) expect(bytes.includes(form), `${form} in ${path}`).toBe(false);
        expect(bytes.includes(Buffer.from(new ScureBase32Plugin().decode(secret)))).toBe(false);
      }
    }
  });

  it('never stores a recovery code in the event store files, in any form a person could type it', () => {
    for (const path of storeFiles()) {
      const bytes = readFileSync(path);
      for (const code of recoveryCodes) {
        for (const form of recoveryCodeFormsOf(code))
          expect(bytes.includes(form), `a recovery code in ${path}`).toBe(false);
      }
    }
  });

  it('never logs a secret, a code or a recovery code', () => {
    const logs = service.logs();
    for (const secret of secrets) for (const form of formsOf(secret)) expect(logs).not.toContain(form);
    for (const code of codes) expect(logs).not.toContain(code);
    for (const code of recoveryCodes) for (const form of recoveryCodeFormsOf(code)) expect(logs).not.toContain(form);
  });

  it('keeps the store files clean once the log is checkpointed into the database', async () => {
    await service.close();
    const bytes = readFileSync(join(service.dataDir, 'mfa.sqlite'));
    for (const secret of secrets) for (const form of formsOf(secret)) expect(bytes.includes(form)).toBe(false);
    for (const code of recoveryCodes)
      for (const form of recoveryCodeFormsOf(code)) expect(bytes.includes(form)).toBe(false);
  });
});
