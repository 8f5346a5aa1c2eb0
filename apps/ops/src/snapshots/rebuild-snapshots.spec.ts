import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MfaRpc } from '#contracts';
import { EventStoreSnapshots, SqliteEventStore, snapshotStreamOf } from '#event-store';
import { mfaStreamName } from '../../../mfa/src/mfa-enrollment/mfa-enrollment.events.js';
import { MFA_ENROLLMENT_SNAPSHOTS } from '../../../mfa/src/mfa-enrollment/mfa-enrollment.repository.js';
import { initialState } from '../../../mfa/src/mfa-enrollment/mfa-enrollment.state.js';
import { CONTEXT, activeUser, appCode, currentStep, startMfaService, wrongCode } from '../../../mfa/src/mfa.testing.js';
import { generateEncryptionKey } from '../../../mfa/src/totp/secret-cipher.js';
import type { OpsIo } from '../ops-io.js';
import { runOps } from '../ops.js';
import { SNAPSHOTTED_AGGREGATES } from './snapshotted-aggregates.js';

async function ops(dataDir: string, ...argv: string[]) {
  let out = '';
  let err = '';
  const io: OpsIo = {
    env: { DATA_DIR: dataDir },
    out: (text) => void (out += text),
    err: { write: (text) => void (err += text), isTTY: false },
  };
  const status = await runOps(argv, io);
  return { status, out, err };
}

/** Many wrong codes do not lock here: a long stream is quick to make. */
const PATIENT = {
  MFA_MAX_FAILED_ATTEMPTS: '1000',
  MFA_PERMANENT_LOCK_AFTER: '1000',
  MFA_ENCRYPTION_KEY: generateEncryptionKey(),
};

interface SnapshotRow {
  revision: number;
  data: string;
}

describe('ops rebuild-snapshots on the store the mfa service filled', { timeout: 60_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ops-snapshots-'));
  const secrets = new Map<string, string>();
  const heads = new Map<string, number>();
  const db = () => new Database(join(dataDir, 'mfa.sqlite'));
  const snapshotsOf = (userId: string): SnapshotRow[] => {
    const file = db();
    try {
      return file
        .prepare('SELECT revision, data FROM events WHERE stream = ? ORDER BY revision')
        .all(snapshotStreamOf(mfaStreamName(userId))) as SnapshotRow[];
    } finally {
      file.close();
    }
  };

  beforeAll(async () => {
    // ann and bob: active, 25 wrong codes each (a snapshot at 20 events); cid: active only, a short stream.
    const service = await startMfaService({ dataDir, env: PATIENT });
    try {
      for (const userId of ['ann', 'bob', 'cid']) {
        const { secret } = await activeUser(service, userId);
        secrets.set(userId, secret);
        const step = currentStep(service);
        for (let n = 0; userId !== 'cid' && n < 25; n += 1) {
          await service.call(MfaRpc.verifyChallenge, {
            userId,
            code: wrongCode(secret, [step - 1, step, step + 1]),
            context: CONTEXT,
            challengeId: crypto.randomUUID(),
          });
        }
        heads.set(userId, (await service.store.read(mfaStreamName(userId))).length - 1);
      }
    } finally {
      await service.close();
    }
    expect(snapshotsOf('ann').length).toBeGreaterThan(0);
    expect(snapshotsOf('cid')).toEqual([]);
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('writes back deleted and damaged snapshots, at each stream’s head, and the service answers right again', async () => {
    const file = db();
    // ann's snapshots gone; bob's says "no enrollment" (a decider change would do as much); cid gets a stale one.
    file.prepare('DELETE FROM events WHERE stream = ?').run(snapshotStreamOf(mfaStreamName('ann')));
    file
      .prepare(`UPDATE events SET data = json_set(data, '$.state.status', 'none') WHERE stream = ?`)
      .run(snapshotStreamOf(mfaStreamName('bob')));
    file.close();
    const damaged = await startMfaService({ dataDir, env: PATIENT });
    try {
      expect(await damaged.ok(MfaRpc.getStatus, { userId: 'bob' })).toMatchObject({ status: 'inactive' });
    } finally {
      await damaged.close();
    }

    const run = await ops(dataDir, 'rebuild-snapshots', '--service', 'mfa');

    expect(run.status).toBe(0);
    expect(run.out).toMatch(/^rebuild-snapshots: 2 snapshots written in \d+\.\d s\n/);
    expect(run.out).toContain(
      '  mfa MFA enrollment: 2 of 3 streams (1 shorter than 20 events, without a snapshot: replayed whole at each load)\n',
    );
    expect(run.out).toContain('OK: every snapshot rebuilt\n');
    expect(run.err.trim().split('\n').at(-1)).toBe('rebuild-snapshots: 2/2 streams');
    for (const userId of ['ann', 'bob']) {
      const snapshots = snapshotsOf(userId);
      expect(snapshots).toHaveLength(1);
      expect(JSON.parse(snapshots[0]!.data)).toMatchObject({
        version: 3,
        revision: heads.get(userId),
        state: { status: 'active', consecutiveFailures: 25 },
      });
    }
    expect(snapshotsOf('cid')).toEqual([]);

    const service = await startMfaService({ dataDir, env: PATIENT, now: new Date(Date.parse('2025-06-02T10:01:05Z')) });
    try {
      expect(await service.ok(MfaRpc.getStatus, { userId: 'bob' })).toMatchObject({ status: 'active' });
      for (const userId of ['ann', 'bob']) {
        await service.ok(MfaRpc.verifyChallenge, {
          userId,
          code: appCode(secrets.get(userId)!, currentStep(service)),
          context: CONTEXT,
          challengeId: crypto.randomUUID(),
        });
      }
    } finally {
      await service.close();
    }
    expect((await ops(dataDir, 'verify')).status).toBe(0);
  });

  it('replaces a snapshot of another version, and a short stream’s stale one; the same again when run again', async () => {
    const file = db();
    file
      .prepare(`UPDATE events SET data = json_set(data, '$.version', 99) WHERE stream = ?`)
      .run(snapshotStreamOf(mfaStreamName('ann')));
    file.close();
    const before = snapshotsOf('bob');
    const store = new SqliteEventStore(join(dataDir, 'mfa.sqlite'));
    await new EventStoreSnapshots(store, MFA_ENROLLMENT_SNAPSHOTS).replace(mfaStreamName('cid'), initialState(), 0);
    await store.close();

    const run = await ops(dataDir, 'rebuild-snapshots');
    expect(run.status).toBe(0);
    expect(run.out).toContain('  mfa MFA enrollment: 3 of 3 streams (0 shorter than 20 events');
    expect(JSON.parse(snapshotsOf('cid')[0]!.data)).toMatchObject({
      revision: heads.get('cid'),
      state: { status: 'active' },
    });
    expect(JSON.parse(snapshotsOf('ann')[0]!.data)).toMatchObject({ version: 3, revision: heads.get('ann')! + 1 });
    expect(snapshotsOf('bob')).toHaveLength(1);
    expect(snapshotsOf('bob')[0]!.revision).toBeGreaterThan(before[0]!.revision);
    expect((await ops(dataDir, 'rebuild-snapshots')).out).toContain('  mfa MFA enrollment: 3 of 3 streams');
    expect(snapshotsOf('cid')).toHaveLength(1);
    for (const secret of secrets.values()) expect(run.out + run.err).not.toContain(secret);
  });

  it('refuses an unknown service, and a DATA_DIR without the service’s store', async () => {
    expect(await ops(dataDir, 'rebuild-snapshots', '--service', 'billing')).toMatchObject({
      status: 2,
      err: expect.stringContaining('unknown service "billing"'),
    });
    expect(await ops(dataDir, 'rebuild-snapshots', '--service', 'identity')).toMatchObject({
      status: 2,
      err: expect.stringContaining('no event store under DATA_DIR'),
    });
    expect((await ops(dataDir, 'rebuild-snapshots', 'now')).status).toBe(2);
  });
});

describe('the snapshotted aggregates', () => {
  it('are every aggregate whose repository keeps snapshots', () => {
    const apps = join(import.meta.dirname, '../../..');
    const repositories = readdirSync(apps, { recursive: true, encoding: 'utf8' })
      .filter((path) => path.endsWith('.ts') && !path.endsWith('.spec.ts') && !path.startsWith('ops/'))
      .filter((path) => readFileSync(join(apps, path), 'utf8').includes('new EventStoreSnapshots('));
    expect(repositories.length).toBeGreaterThan(0);
    expect(SNAPSHOTTED_AGGREGATES).toHaveLength(repositories.length);
  });
});
