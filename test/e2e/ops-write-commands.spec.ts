/**
 * The ops CLI's two write commands as an operator runs them (the built bin,
 * a child process), on stores the real system filled over HTTP: the embedded
 * default's SQLite files, and PostgreSQL (a database of its own per run).
 *
 * - Key rotation end to end: users enrol under key A; the system restarts
 *   with key B current and A previous; `reencrypt` runs while it serves a
 *   sign-in; the system restarts with B alone; the users still sign in with
 *   their codes.
 * - `rebuild-snapshots`, with the system running: a snapshot damaged (one
 *   that says a user has no MFA: the sign-in then asks for no code) and one
 *   deleted are written back from the events, and the sign-in asks for the
 *   code again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteEventStore, snapshotStreamOf } from '#event-store';
import {
  apiClient,
  createUserWithMfa,
  settledStep,
  signInAdminWithMfa,
  startSystem,
  totpAt,
  waitForStepAfter,
  type ApiClient,
  type RunningSystem,
} from '#testing';
import { mfaEnrollmentCodec } from '../../apps/mfa/src/mfa-enrollment/mfa-enrollment.codec.js';
import { mfaStreamName } from '../../apps/mfa/src/mfa-enrollment/mfa-enrollment.events.js';
import { generateEncryptionKey, keyIdOf, SecretCipher } from '../../apps/mfa/src/totp/secret-cipher.js';

const BIN = join(import.meta.dirname, '../../dist/apps/ops/src/main.js');
const POSTGRES_URL = process.env['POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const ADMIN = { email: 'ops-writes-admin@example.org', password: 'ops writes admin long password' };
const ALICE = { email: 'alice.writes@example.org', password: 'alice writes long password' };
const [KEY_A, KEY_B] = [generateEncryptionKey(), generateEncryptionKey()];
const idOf = (key: string) => keyIdOf(Buffer.from(key, 'base64'));
/** Many wrong codes in a row without a lock: a stream long enough for a snapshot, quickly. */
const PATIENT = {
  MFA_MAX_FAILED_ATTEMPTS: '1000',
  MFA_PERMANENT_LOCK_AFTER: '1000',
  LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
};

interface Run {
  status: number | null;
  out: string;
  err: string;
}

/** The bin with exactly `env` (and PATH), as a child process that may run beside a request. */
function ops(env: Record<string, string>, ...argv: string[]): Promise<Run> {
  return opsWatched(env, argv, () => undefined);
}

/** The same, `onStderr` told of each chunk of its stderr with the child at hand (to interrupt it). */
function opsWatched(
  env: Record<string, string>,
  argv: readonly string[],
  onStderr: (child: ChildProcess) => void,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], { env: { PATH: process.env.PATH, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      onStderr(child);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, out, err });
    });
  });
}

/** Password, then the code of the earliest step after `lastStep` the service accepts now; answers that step and the tokens. */
async function signInWithCode(
  api: ApiClient,
  user: { email: string; password: string },
  secret: string,
  lastStep: number,
): Promise<{ step: number; accessToken: string; refreshToken: string }> {
  if (lastStep >= (await settledStep()) + 1) await waitForStepAfter(lastStep - 1);
  const step = Math.max(lastStep + 1, (await settledStep()) - 1);
  const challenge = await api.post('/v1/auth/login', user);
  expect(challenge.body).toMatchObject({ status: 'mfa_required' });
  const signedIn = await api.post('/v1/auth/login/mfa', {
    mfaToken: challenge.body.mfaToken,
    code: totpAt(secret, step),
  });
  expect(signedIn.body).toMatchObject({ status: 'authenticated' });
  return { step, accessToken: String(signedIn.body.accessToken), refreshToken: String(signedIn.body.refreshToken) };
}

/** Where a store's events are, for the spec to damage snapshots as a bad deploy or a hand would. */
interface StoreUnderTest {
  /** Added to the system's and the CLI's environment. */
  readonly env: Record<string, string>;
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
  /** Every snapshot of `stream` now says its user has no MFA enrollment. */
  damageSnapshots(dataDir: string, service: Service, stream: string): Promise<void>;
  deleteSnapshots(dataDir: string, service: Service, stream: string): Promise<void>;
  snapshots(dataDir: string, service: Service, stream: string): Promise<Array<{ data: Record<string, unknown> }>>;
}

type Service = 'identity' | 'mfa';

const sqlite: StoreUnderTest = {
  env: {},
  setUp: async () => undefined,
  tearDown: async () => undefined,
  async damageSnapshots(dataDir, service, stream) {
    const db = new Database(join(dataDir, `${service}.sqlite`));
    db.prepare(`UPDATE events SET data = json_set(data, '$.state.status', 'none') WHERE stream = ?`).run(
      snapshotStreamOf(stream),
    );
    db.close();
  },
  async deleteSnapshots(dataDir, service, stream) {
    const db = new Database(join(dataDir, `${service}.sqlite`));
    db.prepare('DELETE FROM events WHERE stream = ?').run(snapshotStreamOf(stream));
    db.close();
  },
  async snapshots(dataDir, service, stream) {
    const db = new Database(join(dataDir, `${service}.sqlite`), { readonly: true });
    try {
      const rows = db
        .prepare('SELECT data FROM events WHERE stream = ? ORDER BY revision')
        .all(snapshotStreamOf(stream)) as Array<{ data: string }>;
      return rows.map((row) => ({ data: JSON.parse(row.data) as Record<string, unknown> }));
    } finally {
      db.close();
    }
  },
};

function postgres(): StoreUnderTest {
  const database = `ops_writes_${randomUUID().slice(0, 8)}`;
  const url = POSTGRES_URL.replace(/\/[^/?]*(\?|$)/, `/${database}$1`);
  const on = async <T>(connection: string, work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: connection });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  return {
    env: { EVENTSTORE_URL: url },
    setUp: () => on(POSTGRES_URL, async (client) => void (await client.query(`CREATE DATABASE "${database}"`))),
    tearDown: () =>
      on(
        POSTGRES_URL,
        async (client) => void (await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`)),
      ),
    damageSnapshots: (_dataDir, service, stream) =>
      on(url, async (client) => {
        await client.query(
          `UPDATE "${service}".events SET data = jsonb_set(data::jsonb, '{state,status}', '"none"')::json WHERE stream = $1`,
          [snapshotStreamOf(stream)],
        );
      }),
    deleteSnapshots: (_dataDir, service, stream) =>
      on(url, async (client) => {
        await client.query(`DELETE FROM "${service}".events WHERE stream = $1`, [snapshotStreamOf(stream)]);
      }),
    snapshots: (_dataDir, service, stream) =>
      on(url, async (client) => {
        const { rows } = await client.query<{ data: Record<string, unknown> }>(
          `SELECT data FROM "${service}".events WHERE stream = $1 ORDER BY revision`,
          [snapshotStreamOf(stream)],
        );
        return rows;
      }),
  };
}

describe.each([
  ['the embedded SQLite files', sqlite],
  ['PostgreSQL', postgres()],
])('ops reencrypt and rebuild-snapshots on %s', (_name, store) => {
  let system: RunningSystem | undefined;
  let api: ApiClient;
  let dataDir = '';
  let admin = { secret: '', step: 0, refreshToken: '', accessToken: '' };
  let alice = { id: '', secret: '', step: 0 };
  const secrets: string[] = [];
  let keysInUse: Record<string, string> = {};

  const start = async (keys: Record<string, string>) => {
    keysInUse = keys;
    system = await startSystem({
      mode: 'embedded',
      ...(dataDir ? { dataDir } : {}),
      env: {
        BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
        BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
        ...PATIENT,
        ...store.env,
        ...keys,
      },
    });
    dataDir = system.dataDir;
    api = apiClient(system.baseUrl);
  };
  /** The CLI's environment: the store, and the mfa service's keys where given. */
  const opsEnv = (keys: Record<string, string> = {}) => ({ DATA_DIR: dataDir, ...store.env, ...keys });

  beforeAll(async () => {
    await store.setUp();
    await start({ MFA_ENCRYPTION_KEY: KEY_A });
    admin = await signInAdminWithMfa(api, ADMIN);
    const created = await createUserWithMfa(api, admin.accessToken, ALICE);
    alice = { id: created.id, secret: created.secret, step: created.activatedStep };
    secrets.push(admin.secret, alice.secret, KEY_A, KEY_B);
  }, 180_000);

  afterAll(async () => {
    await system?.stop({ removeData: true });
    await store.tearDown();
  }, 60_000);

  it('reseals every secret under key B while the system runs with B and A, a sign-in going on beside it', async () => {
    await system!.stop();
    await start({ MFA_ENCRYPTION_KEY: KEY_B, MFA_PREVIOUS_ENCRYPTION_KEYS: KEY_A });
    const rotating = opsEnv({ MFA_ENCRYPTION_KEY: KEY_B, MFA_PREVIOUS_ENCRYPTION_KEYS: KEY_A });

    expect(await ops(opsEnv(), 'reencrypt')).toMatchObject({
      status: 2,
      err: expect.stringContaining('MFA_ENCRYPTION_KEY is not set'),
    });
    const [run, signedIn] = await Promise.all([
      ops(rotating, 'reencrypt'),
      signInWithCode(api, ALICE, alice.secret, alice.step),
    ]);
    alice.step = signedIn.step;

    expect(run.status).toBe(0);
    expect(run.out).toMatch(new RegExp(`^reencrypt: 2 of 2 users, sealed under key ${idOf(KEY_B)}`));
    expect(run.out).toContain('  resealed:          2\n  already current:   0\n');
    expect(run.out).toContain('  failed:            0\n');
    expect(run.out).toContain(`recovery codes: key ${idOf(KEY_A)} still hashes the unused recovery codes of 2 users.`);
    expect(run.err).toContain('reencrypt: 2/2 users');
    const again = await ops(rotating, 'reencrypt');
    expect(again).toMatchObject({
      status: 0,
      out: expect.stringContaining('  resealed:          0\n  already current:   2\n'),
    });
    expect(await ops(opsEnv(), 'verify')).toMatchObject({
      status: 0,
      out: expect.stringContaining('OK: no problem found'),
    });
    for (const secret of secrets) expect(run.out + run.err + again.out + system!.logs()).not.toContain(secret);
  });

  it('signs the users in with their codes once the system runs with key B alone', async () => {
    await system!.stop();
    await start({ MFA_ENCRYPTION_KEY: KEY_B });
    admin.step = (await signInWithCode(api, ADMIN, admin.secret, admin.step)).step;
    alice.step = (await signInWithCode(api, ALICE, alice.secret, alice.step)).step;
  });

  it('rebuilds a damaged and a deleted snapshot while the system runs: the sign-in asks for the code again', async () => {
    // alice's stream past 20 events (a snapshot): wrong codes on one mfaToken; the admin's session past 20 refreshes.
    const challenge = await api.post('/v1/auth/login', ALICE);
    for (let n = 0; n < 22; n += 1) {
      const wrong = await api.post('/v1/auth/login/mfa', { mfaToken: challenge.body.mfaToken, code: '000000' });
      expect(wrong.status).toBe(401);
    }
    const first = await signInWithCode(api, ADMIN, admin.secret, admin.step);
    admin.step = first.step;
    let { refreshToken } = first;
    const claims = JSON.parse(Buffer.from(first.accessToken.split('.')[1]!, 'base64url').toString()) as { sid: string };
    const sessionId = claims.sid;
    for (let n = 0; n < 21; n += 1) {
      const refreshed = await api.post('/v1/auth/refresh', { refreshToken });
      expect(refreshed.status).toBe(200);
      refreshToken = String(refreshed.body.refreshToken);
    }
    const aliceStream = `mfa-${alice.id}`;
    const sessionStream = `session-${sessionId}`;
    expect(await store.snapshots(dataDir, 'mfa', aliceStream)).toHaveLength(1);
    expect(await store.snapshots(dataDir, 'identity', sessionStream)).toHaveLength(1);

    // The damage: alice's snapshot says she has no MFA (as a decider change could); the session's is gone.
    await store.damageSnapshots(dataDir, 'mfa', aliceStream);
    await store.deleteSnapshots(dataDir, 'identity', sessionStream);
    // The running services folded these states from the events and keep them, so the damage shows in a process
    // that loads them from the snapshots, as after a restart (which keeps no state it started from a snapshot).
    await system!.stop();
    await start(keysInUse);
    expect((await api.post('/v1/auth/login', ALICE)).body).toMatchObject({ status: 'authenticated' });

    const run = await ops(opsEnv(), 'rebuild-snapshots');

    expect(run.status).toBe(0);
    expect(run.out).toMatch(/^rebuild-snapshots: \d+ snapshots written in/);
    expect(run.out).toMatch(/ mfa MFA enrollment: 1 of 2 streams/);
    expect(run.out).toMatch(/ identity session: 1 of \d+ streams/);
    expect(run.out).toContain('OK: every snapshot rebuilt');
    expect((await api.post('/v1/auth/login', ALICE)).body).toMatchObject({ status: 'mfa_required' });
    alice.step = (await signInWithCode(api, ALICE, alice.secret, alice.step)).step;
    expect((await api.post('/v1/auth/refresh', { refreshToken })).status).toBe(200);
    const [mfaSnapshot] = await store.snapshots(dataDir, 'mfa', aliceStream);
    expect(mfaSnapshot?.data).toMatchObject({ version: 3, state: { status: 'active' } });
    expect(await store.snapshots(dataDir, 'identity', sessionStream)).toHaveLength(1);
    expect((await ops(opsEnv(), 'rebuild-snapshots', '--service', 'mfa')).status).toBe(0);
    expect(await ops(opsEnv(), 'verify')).toMatchObject({ status: 0 });
  }, 120_000);
});

describe('ops reencrypt, interrupted', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ops-reencrypt-interrupted-'));
  const USERS = 1000;
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('stops after the user at hand on Ctrl-C, says what is left, and a second run does only that', async () => {
    // Set-ups under key A, written through the store port as the mfa service writes them.
    const store = new SqliteEventStore(join(dataDir, 'mfa.sqlite'));
    const cipher = new SecretCipher({ current: KEY_A });
    const now = new Date();
    for (let n = 0; n < USERS; n += 1) {
      const userId = `user-${n}`;
      const { type, data, metadata } = mfaEnrollmentCodec.encode({
        type: 'MfaEnrollmentStarted',
        data: {
          enrollmentId: randomUUID(),
          secret: cipher.encrypt('JBSWY3DPEHPK3PXP', userId),
          algorithm: 'SHA1',
          digits: 6,
          period: 30,
          issuer: 'totp-mfa',
          label: `${userId}@example.org`,
          startedAt: now.toISOString(),
          expiresAt: new Date(now.getTime() + 600_000).toISOString(),
        },
      });
      await store.append(mfaStreamName(userId), [{ id: randomUUID(), type, data, metadata }], 'no_stream');
    }
    await store.close();
    const env = { DATA_DIR: dataDir, MFA_ENCRYPTION_KEY: KEY_B, MFA_PREVIOUS_ENCRYPTION_KEYS: KEY_A };

    // Interrupted as soon as it reports its start.
    let signalled = false;
    const interrupted = await opsWatched(env, ['reencrypt'], (child) => {
      if (!signalled) signalled = child.kill('SIGINT');
    });

    expect(interrupted.status).toBe(1);
    const resealed = Number(/ {2}resealed: +([\d,]+)/.exec(interrupted.out)?.[1]?.replace(',', ''));
    const left = Number(/INTERRUPTED: ([\d,]+) users not looked at/.exec(interrupted.out)?.[1]?.replace(',', ''));
    expect(left).toBeGreaterThan(0);
    expect(resealed + left).toBe(USERS);
    expect(interrupted.out).toContain(`reencrypt: ${(USERS - left).toLocaleString('en-US')} of 1,000 users`);

    const rest = await ops(env, 'reencrypt');
    expect(rest.status).toBe(0);
    expect(rest.out).toContain(
      `  resealed:          ${left.toLocaleString('en-US')}\n  already current:   ${resealed.toLocaleString('en-US')}\n`,
    );
  }, 120_000);
});
