import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MfaRpc } from '#contracts';
import { SqliteEventStore } from '#event-store';
import { mfaStreamName } from '../../../mfa/src/mfa-enrollment/mfa-enrollment.events.js';
import { CONTEXT, activeUser, appCode, currentStep, startMfaService } from '../../../mfa/src/mfa.testing.js';
import { KEY_FILE_NAME } from '../../../mfa/src/secret-keys/encryption-key-ring.js';
import { generateEncryptionKey, keyIdOf } from '../../../mfa/src/totp/secret-cipher.js';
import type { OpsIo } from '../ops-io.js';
import { runOps } from '../ops.js';

const idOf = (key: string) => keyIdOf(Buffer.from(key, 'base64'));
const [KEY_A, KEY_B, KEY_C] = [generateEncryptionKey(), generateEncryptionKey(), generateEncryptionKey()];
/** The services' clock starts at the real time: ops reads the real clock, to which the pending set-up is still live. */
const START = new Date();

/** The CLI as an operator runs it, with `env`; stderr a terminal or not. */
async function ops(env: Record<string, string>, argv: string[], isTTY = false) {
  let out = '';
  let err = '';
  const io: OpsIo = {
    env,
    out: (text) => void (out += text),
    err: { write: (text) => void (err += text), isTTY },
  };
  const status = await runOps(argv, io);
  return { status, out, err };
}

describe('ops reencrypt on the store the mfa service filled', { timeout: 60_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ops-reencrypt-'));
  const rotating = { DATA_DIR: dataDir, MFA_ENCRYPTION_KEY: KEY_B, MFA_PREVIOUS_ENCRYPTION_KEYS: KEY_A };
  const secrets: string[] = [];
  const sealed = async (userId: string) => {
    const store = new SqliteEventStore(join(dataDir, 'mfa.sqlite'), { readonly: true });
    try {
      return (await store.read(mfaStreamName(userId))).map((event) => JSON.stringify(event.data));
    } finally {
      await store.close();
    }
  };

  beforeAll(async () => {
    // Under key A: two active users and one who only started; a reset user (nothing in use).
    const service = await startMfaService({ dataDir, env: { MFA_ENCRYPTION_KEY: KEY_A }, now: START });
    try {
      for (const userId of ['ann', 'bob']) {
        const { secret, recoveryCodes } = await activeUser(service, userId);
        secrets.push(secret, ...recoveryCodes);
      }
      secrets.push((await service.ok(MfaRpc.startEnrollment, { userId: 'cid', label: 'cid@example.org' })).secret);
      await activeUser(service, 'dan');
      await service.ok(MfaRpc.reset, { userId: 'dan', adminId: 'admin-1', reason: 'phone lost' });
    } finally {
      await service.close();
    }
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('refuses without MFA_ENCRYPTION_KEY, creating no key file and writing nothing', async () => {
    const before = await sealed('ann');
    const run = await ops({ DATA_DIR: dataDir, MFA_PREVIOUS_ENCRYPTION_KEYS: KEY_A }, ['reencrypt']);
    expect(run).toMatchObject({ status: 2, out: '' });
    expect(run.err).toContain('ops: reencrypt: MFA_ENCRYPTION_KEY is not set');
    expect(existsSync(join(dataDir, KEY_FILE_NAME))).toBe(false);
    expect(await sealed('ann')).toEqual(before);

    const bad = await ops({ ...rotating, MFA_ENCRYPTION_KEY: 'c2hvcnQ=' }, ['reencrypt']);
    expect(bad).toMatchObject({ status: 2, err: expect.stringContaining('MFA_ENCRYPTION_KEY must be a base64') });
    const nowhere = await ops({ ...rotating, DATA_DIR: join(dataDir, 'empty') }, ['reencrypt']);
    expect(nowhere).toMatchObject({ status: 2, err: expect.stringContaining('no mfa.sqlite under DATA_DIR') });
    expect(await ops(rotating, ['reencrypt', 'now'])).toMatchObject({ status: 2 });
  });

  it('reseals every secret in use under the current key, reports progress and what still needs the old key', async () => {
    const run = await ops(rotating, ['reencrypt']);

    expect(run.status).toBe(0);
    const lines = run.out.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^reencrypt: 4 of 4 users, sealed under key ${idOf(KEY_B)}, in \\d+\\.\\d s$`));
    expect(lines.slice(1, 5)).toEqual([
      '  resealed:          3',
      '  already current:   0',
      '  no secret in use:  1 (no enrollment, or a set-up that expired)',
      '  failed:            0',
    ]);
    expect(run.out).toContain(`recovery codes: key ${idOf(KEY_A)} still hashes the unused recovery codes of 2 users.`);
    expect(run.out).toContain(`OK: every secret in use is under key ${idOf(KEY_B)}\n`);
    // Progress on stderr, a plain line when it is not a terminal: at the start and at the end.
    expect(run.err.trim().split('\n').at(-1)).toBe('reencrypt: 4/4 users');
    for (const secret of secrets) expect(run.out + run.err).not.toContain(secret);
    const ann = await sealed('ann');
    expect(JSON.parse(ann.at(-1)!)).toMatchObject({ secret: { keyId: idOf(KEY_B) } });
    for (const secret of secrets) expect(ann.join()).not.toContain(secret);
  });

  it('does nothing the second time, and the service with only the new key accepts the users’ codes', async () => {
    // In production too, without the sealing key a production mfa process must have: ops needs only the ring.
    const again = await ops({ ...rotating, NODE_ENV: 'production' }, ['reencrypt'], true);
    expect(again.status).toBe(0);
    expect(again.out).toContain('  resealed:          0\n  already current:   3\n');
    expect(again.err).toContain('reencrypt ░'); // a bar, redrawn in place on a terminal
    expect(again.err).toContain('4/4 users');

    const service = await startMfaService({
      dataDir,
      env: { MFA_ENCRYPTION_KEY: KEY_B },
      now: new Date(START.getTime() + 90_000),
    });
    try {
      const step = currentStep(service);
      for (const [userId, secret] of [
        ['ann', secrets[0]!],
        ['bob', secrets[11]!],
      ] as const) {
        await service.ok(MfaRpc.verifyChallenge, {
          userId,
          code: appCode(secret, step),
          context: CONTEXT,
          challengeId: crypto.randomUUID(),
        });
      }
      expect(
        await service.ok(MfaRpc.activate, {
          userId: 'cid',
          code1: appCode(secrets[22]!, step - 1),
          code2: appCode(secrets[22]!, step),
        }),
      ).toMatchObject({ status: 'active' });
    } finally {
      await service.close();
    }
  });

  it('names each user whose secret will not open, goes on with the others, and exits 1', async () => {
    const service = await startMfaService({ dataDir, env: { MFA_ENCRYPTION_KEY: KEY_C }, now: START });
    try {
      await activeUser(service, 'eve');
    } finally {
      await service.close();
    }

    const run = await ops({ ...rotating, MFA_ENCRYPTION_KEY: generateEncryptionKey() }, ['reencrypt']);

    expect(run.status).toBe(1);
    expect(run.out).toContain('  resealed:          0\n  already current:   0\n');
    expect(run.out).toContain('  failed:            4\n');
    expect(run.out).toContain(`FAILED: 4 users\n`);
    expect(run.out).toContain(`  mfa-eve: sealed secret uses key ${idOf(KEY_C)}, which is not in the key ring\n`);
    expect(run.out).toContain(`  mfa-ann: sealed secret uses key ${idOf(KEY_B)}, which is not in the key ring\n`);
    expect(run.out).not.toContain('OK:');
  });
});
