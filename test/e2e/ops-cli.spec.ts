/**
 * The ops CLI as an operator runs it: the built bin (`dist/apps/ops/src/main.js`)
 * as a child process, on the DATA_DIR of the one-process default filled by a
 * journey over HTTP, while the system runs, then on a copy whose SQLite file
 * was edited by hand.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiClient,
  createUserWithMfa,
  signInAdminWithMfa,
  startSystem,
  type ApiClient,
  type RunningSystem,
} from '#testing';

const ADMIN = { email: 'ops-admin@example.org', password: 'ops admin long password' };
const ALICE = { email: 'alice.ops@example.org', password: 'alice long password' };
const BIN = join(import.meta.dirname, '../../dist/apps/ops/src/main.js');

function ops(dataDir: string, ...argv: string[]) {
  const run = spawnSync(process.execPath, [BIN, ...argv], {
    env: { PATH: process.env.PATH, DATA_DIR: dataDir },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: run.status, out: run.stdout, err: run.stderr };
}

describe('the ops CLI (bin) on the embedded system', () => {
  let system: RunningSystem;
  let api: ApiClient;
  let aliceId = '';
  const secrets: string[] = [ADMIN.password, ALICE.password];

  beforeAll(async () => {
    system = await startSystem({
      mode: 'embedded',
      env: { BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password },
    });
    api = apiClient(system.baseUrl);
    const admin = await signInAdminWithMfa(api, ADMIN);
    const alice = await createUserWithMfa(api, admin.accessToken, ALICE);
    secrets.push(admin.secret, alice.secret, admin.accessToken, admin.refreshToken);
    expect((await api.post('/v1/auth/login', { ...ALICE, password: 'not alice long password' })).status).toBe(401);
    const users = await api.get<{ users: Array<{ id: string; email: string }> }>('/v1/admin/users', {
      token: admin.accessToken,
    });
    aliceId = users.body.users.find((user) => user.email === ALICE.email)!.id;
    const reset = await api.post(
      `/v1/admin/users/${aliceId}/mfa/reset`,
      { reason: 'phone lost' },
      { token: admin.accessToken },
    );
    expect(reset.status).toBe(200);
  });

  afterAll(async () => {
    await system?.stop({ removeData: true });
  });

  it('shows alice’s history, reset by the admin for a reason, while the system runs, without a secret', () => {
    const run = ops(system.dataDir, 'history', ALICE.email);
    expect(run.err).toBe('');
    expect(run.status).toBe(0);
    expect(run.out).toContain(`history of user ${aliceId}`);
    expect(run.out).toMatch(/identity\s+UserRegistered/);
    expect(run.out).toMatch(/identity\s+PasswordCheckFailed\s+-\s+127\.0\.0\.1\s+wrong_password/);
    expect(run.out).toMatch(/mfa\s+MfaActivated/);
    expect(run.out).toMatch(/mfa\s+MfaDeactivated\s+admin \S+\s+-\s+phone lost/);
    for (const secret of secrets) expect(run.out).not.toContain(secret);
  });

  it('verifies every store, and after an edit of the SQLite file names the stream and revision', async () => {
    const clean = ops(system.dataDir, 'verify');
    expect(clean.status).toBe(0);
    expect(clean.out).toContain('OK: no problem found');

    await system.stop();
    const copy = mkdtempSync(join(tmpdir(), 'ops-e2e-'));
    try {
      cpSync(system.dataDir, copy, { recursive: true });
      const db = new Database(join(copy, 'mfa.sqlite'));
      const activated = db
        .prepare(`SELECT stream, revision FROM events WHERE type = 'MfaActivated' AND stream = ?`)
        .get(`mfa-${aliceId}`) as { stream: string; revision: number };
      db.prepare(
        `UPDATE events SET data = json_set(data, '$.activatedAt', '2020-01-01T00:00:00.000Z') WHERE stream = ? AND revision = ?`,
      ).run(activated.stream, activated.revision);
      db.close();

      const tampered = ops(copy, 'verify');
      expect(tampered.status).toBe(1);
      expect(tampered.out).toContain(`mfa ${activated.stream} revision ${activated.revision} [chain]`);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
