import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdentityRpc, MfaRpc } from '#contracts';
import {
  CHAIN_HASH_METADATA,
  SqliteEventStore,
  eventDigest,
  linkHash,
  snapshotStreamOf,
  type RecordedEvent,
} from '#event-store';
import { relayCheckpointStreamOf } from '#messaging';
import { OPERATOR, signInRequest, startIdentityWithOperator } from '../../identity/src/identity.testing.js';
import { mfaStreamName } from '../../mfa/src/mfa-enrollment/mfa-enrollment.events.js';
import { CONTEXT, activeUser, appCode, currentStep, startMfaService, wrongCode } from '../../mfa/src/mfa.testing.js';
import type { OpsIo } from './ops-io.js';
import { runOps } from './ops.js';

interface Run {
  status: number;
  out: string;
  err: string;
}

/** The CLI as an operator runs it, on `dataDir`, its output captured (stderr not a terminal). */
async function ops(dataDir: string, ...argv: string[]): Promise<Run> {
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

/** A copy of the filled DATA_DIR for a spec that alters it. */
function copyOf(dataDir: string): string {
  const copy = mkdtempSync(join(tmpdir(), 'ops-tampered-'));
  cpSync(dataDir, copy, { recursive: true });
  return copy;
}

describe('the ops CLI on stores the services filled', { timeout: 60_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'ops-cli-'));
  const dataDir = join(root, 'data');
  let userId = '';
  let mfaEvents: RecordedEvent[] = [];
  /** Everything that must never be printed: the TOTP secret, recovery codes, password, and what the stores keep of them. */
  const secrets: string[] = [];

  beforeAll(async () => {
    const { identity, operator } = await startIdentityWithOperator({ dataDir });
    const mfa = await startMfaService({ dataDir });
    try {
      userId = operator.id;
      // A wrong password, then MFA set up, a wrong code and a right one: a user's ordinary week.
      await identity.call(IdentityRpc.verifyCredentials, signInRequest(OPERATOR.email, 'not the long password'));
      const { secret, recoveryCodes, activationStep } = await activeUser(mfa, userId, OPERATOR.email);
      mfa.clock.advanceSeconds(30);
      const step = currentStep(mfa);
      const challenge = { userId, context: CONTEXT };
      await mfa.call(MfaRpc.verifyChallenge, {
        ...challenge,
        code: wrongCode(secret, [activationStep - 1, activationStep, step - 1, step, step + 1]),
        challengeId: crypto.randomUUID(),
      });
      await mfa.ok(MfaRpc.verifyChallenge, {
        ...challenge,
        code: appCode(secret, step),
        challengeId: crypto.randomUUID(),
      });

      mfaEvents = await mfa.store.read(mfaStreamName(userId));
      const [user] = await identity.store.read(`user-${userId}`);
      const sealed = mfaEvents[0]?.data['secret'] as { ciphertext?: string } | undefined;
      const recoveryHashes = mfaEvents.find((event) => event.type === 'RecoveryCodesGenerated')?.data['hashes'];
      secrets.push(secret, OPERATOR.password, ...recoveryCodes, String(user?.data['passwordHash']));
      secrets.push(String(sealed?.ciphertext), ...(recoveryHashes as string[]));
      expect(secrets.every((value) => value.length >= 8 && value !== 'undefined')).toBe(true);
    } finally {
      await Promise.all([identity.close(), mfa.close()]);
    }
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const expectNoSecretIn = (text: string) => {
    for (const secret of secrets) expect(text).not.toContain(secret);
  };

  describe('history', () => {
    it('shows the identity and MFA history of a user found by email, as a table, without a secret', async () => {
      const run = await ops(dataDir, 'history', OPERATOR.email.toUpperCase());

      expect(run).toMatchObject({ status: 0, err: '' });
      const lines = run.out.split('\n');
      expect(lines[0]).toBe(`history of user ${userId}`);
      expect(lines[1]).toMatch(/^time\s+service\s+event\s+who\s+from\s+reason$/);
      const rows = lines.slice(3).filter(Boolean);
      const row = (event: string) => rows.find((line) => line.includes(` ${event} `) || line.endsWith(` ${event}`));
      expect(row('PasswordCheckFailed')).toMatch(
        /identity\s+PasswordCheckFailed\s+-\s+203\.0\.113\.7\s+wrong_password/,
      );
      expect(row('MfaEnrollmentStarted')).toMatch(/mfa\s+MfaEnrollmentStarted/);
      expect(row('MfaChallengeFailed')).toMatch(/MfaChallengeFailed\s+-\s+198\.51\.100\.4\s+login: invalid_code$/);
      expect(row('MfaChallengeVerified')).toMatch(/MfaChallengeVerified\s+-\s+198\.51\.100\.4/);
      const times = rows.map((line) => line.split(/\s+/)[0]!);
      expect(times).toEqual([...times].sort());
      expectNoSecretIn(run.out);
    });

    it('answers the same history by user id as JSON, each event in its public form only', async () => {
      const run = await ops(dataDir, 'history', userId, '--json');
      expect(run.status).toBe(0);
      const history = JSON.parse(run.out) as { userId: string; events: Array<Record<string, unknown>> };
      expect(history.userId).toBe(userId);
      const byEmail = JSON.parse((await ops(dataDir, 'history', OPERATOR.email, '--json')).out) as unknown;
      expect(byEmail).toEqual(history);

      const types = history.events.map((event) => event['event']);
      expect(types).toEqual(expect.arrayContaining(['UserRegistered', 'MfaActivated', 'RecoveryCodesGenerated']));
      const generated = history.events.find((event) => event['event'] === 'RecoveryCodesGenerated');
      expect(generated?.['public']).toMatchObject({ data: { count: 10, reason: 'activation' } });
      const started = history.events.find((event) => event['event'] === 'MfaEnrollmentStarted');
      expect(Object.keys((started?.['public'] as { data: object }).data)).not.toContain('secret');
      expectNoSecretIn(run.out);
    });

    it('says so when nobody has the email, or the user has no event', async () => {
      expect(await ops(dataDir, 'history', 'nobody@example.org')).toMatchObject({ status: 1, out: '' });
      expect((await ops(dataDir, 'history', crypto.randomUUID())).status).toBe(1);
    });
  });

  describe('follow (the embedded mode: the stores, mapped as the relays map them)', () => {
    it("shows the user's events from the start, filtered by email and type, up to --limit, without a secret", async () => {
      const run = await ops(
        dataDir,
        'follow',
        '--from-beginning',
        '--user',
        OPERATOR.email,
        '--type',
        'MfaChallengeFailed',
        '--type',
        'MfaChallengeVerified',
        '--limit',
        '2',
      );
      expect(run.status).toBe(0);
      expect(run.err).toMatch(/^ops: following the stores \(identity, mfa\)/);
      const lines = run.out.trim().split('\n');
      expect(lines[0]).toMatch(/^time\s+service\s+type\s+user\s+correlation$/);
      expect(lines.slice(1)).toEqual([
        expect.stringMatching(new RegExp(`^\\S+Z\\s+mfa\\s+MfaChallengeFailed\\s+${userId}\\s`)),
        expect.stringMatching(new RegExp(`^\\S+Z\\s+mfa\\s+MfaChallengeVerified\\s+${userId}\\s`)),
      ]);
      expectNoSecretIn(run.out);
    });

    it('from the end, shows nothing of the past and ends after --for', async () => {
      const run = await ops(dataDir, 'follow', '--json', '--for', '0.3');
      expect(run).toMatchObject({ status: 0, out: '' });
    });
  });

  describe('verify', () => {
    it('replays every stream of every store and finds nothing wrong', async () => {
      const run = await ops(dataDir, 'verify');
      expect(run.status).toBe(0);
      expect(run.out).toMatch(/^verify: \d+ events in/);
      expect(run.out).toContain('OK: no problem found');
      expect(run.err).toBe(''); // no progress line when stderr is not a terminal

      const report = JSON.parse((await ops(dataDir, 'verify', '--json')).out) as {
        ok: boolean;
        stores: Array<{
          source: string;
          events: number;
          streams: number;
          chainedFromStart: number;
          replayedEvents: number;
        }>;
      };
      expect(report.ok).toBe(true);
      expect(report.stores.map((store) => store.source)).toEqual(['identity', 'mfa']);
      for (const store of report.stores) {
        expect(store.chainedFromStart).toBe(store.streams);
        expect(store.replayedEvents).toBeGreaterThan(0);
      }
      expect(report.stores[1]!.replayedEvents).toBe(mfaEvents.length);
    });

    it('points at an event edited in the SQLite file: its stream, its revision, the chain', async () => {
      const tampered = copyOf(dataDir);
      const verified = mfaEvents.find((event) => event.type === 'MfaChallengeVerified')!;
      const db = new Database(join(tampered, 'mfa.sqlite'));
      db.prepare(
        `UPDATE events SET data = json_set(data, '$.context.ip', '192.0.2.66') WHERE stream = ? AND revision = ?`,
      ).run(verified.stream, verified.revision);
      db.close();

      const run = await ops(tampered, 'verify');
      expect(run.status).toBe(1);
      expect(run.out).toContain('FAILED: 1 problem\n');
      expect(run.out).toContain(
        `mfa ${verified.stream} revision ${verified.revision} [chain]: its chain hash does not match`,
      );
      rmSync(tampered, { recursive: true, force: true });
    });

    it('points at the event after one whose hash was recomputed to match, and at a removed event', async () => {
      const tampered = copyOf(dataDir);
      const [, second] = mfaEvents;
      const db = new Database(join(tampered, 'mfa.sqlite'));
      const changed = { ...second!, data: { ...second!.data, steps: [1, 2] } };
      const forgedHash = linkHash(mfaEvents[0]!.metadata[CHAIN_HASH_METADATA] as string, eventDigest(changed));
      db.prepare('UPDATE events SET data = ?, metadata = ? WHERE stream = ? AND revision = 1').run(
        JSON.stringify(changed.data),
        JSON.stringify({ ...changed.metadata, [CHAIN_HASH_METADATA]: forgedHash }),
        changed.stream,
      );
      db.prepare('DELETE FROM events WHERE stream = ? AND revision = ?').run(changed.stream, mfaEvents.length - 2);
      db.close();

      const { out, status } = await ops(tampered, 'verify', '--json');
      expect(status).toBe(1);
      const findings = (JSON.parse(out) as { findings: Array<{ stream: string; revision: number; check: string }> })
        .findings;
      expect(findings).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ stream: changed.stream, revision: 2, check: 'chain' }),
          expect.objectContaining({ stream: changed.stream, revision: mfaEvents.length - 1, check: 'revision' }),
          expect.objectContaining({ stream: changed.stream, revision: mfaEvents.length - 1, check: 'chain' }),
        ]),
      );
      // The forged activation itself chains; what it says breaks the MFA rules, which the replay reports.
      expect(findings).toEqual(expect.arrayContaining([expect.objectContaining({ revision: 1, check: 'invariant' })]));
      rmSync(tampered, { recursive: true, force: true });
    });

    it('does not take a stream whose every hash was stripped for one written before chains existed', async () => {
      const tampered = copyOf(dataDir);
      const stream = `user-${userId}`;
      const db = new Database(join(tampered, 'identity.sqlite'));
      const { revisions } = db.prepare('SELECT COUNT(*) AS revisions FROM events WHERE stream = ?').get(stream) as {
        revisions: number;
      };
      db.prepare(`UPDATE events SET metadata = json_remove(metadata, '$.${CHAIN_HASH_METADATA}') WHERE stream = ?`).run(
        stream,
      );
      db.close();

      // Recorded after the installation's first (still chained) events: not history from before the chain.
      const { out, status } = await ops(tampered, 'verify');
      expect(status).toBe(1);
      expect(out).toContain('FAILED: 1 problem\n');
      expect(out).toContain(`identity ${stream} revision ${revisions - 1} [chain]: carries no chain hash`);
      rmSync(tampered, { recursive: true, force: true });
    });

    it('verifies truncated relay checkpoints and snapshots clean, from their first kept event', async () => {
      const tampered = copyOf(dataDir);
      const store = new SqliteEventStore(join(tampered, 'mfa.sqlite'));
      const bookkeeping = [relayCheckpointStreamOf('ops-spec'), snapshotStreamOf(mfaStreamName('ops-spec'))];
      for (const stream of bookkeeping) {
        for (let n = 0; n < 25; n += 1) {
          await store.append(stream, [{ id: crypto.randomUUID(), type: 'Bookkept', data: { n } }], 'any');
        }
        await store.truncateBefore(stream, 21);
        await store.append(stream, [{ id: crypto.randomUUID(), type: 'Bookkept', data: { n: 25 } }], 24);
      }
      await store.close();

      const { out, status } = await ops(tampered, 'verify', '--json');
      const report = JSON.parse(out) as {
        ok: boolean;
        stores: Array<{ source: string; streams: number; chainedFromStart: number; truncatedStreams: number }>;
        findings: unknown[];
      };
      expect(report.findings).toEqual([]);
      expect(status).toBe(0);
      const mfa = report.stores.find((summary) => summary.source === 'mfa')!;
      expect(mfa.truncatedStreams).toBe(2);
      expect(mfa.chainedFromStart).toBe(mfa.streams);
      expect((await ops(tampered, 'verify')).out).toMatch(
        /other streams .*: \d+ \(2 truncated: kept from a later revision\)/,
      );

      // An export starts them at their first kept event, which anchors the lines after it.
      const exported = (await ops(tampered, 'export', '--since', '2000-01-01T00:00:00Z')).out;
      const anchors = exported
        .trim()
        .split('\n')
        .map(
          (text) => JSON.parse(text) as { stream: string; revision: number; chain: { previous: string | null } | null },
        )
        .filter((line) => line.chain?.previous === null);
      expect(anchors.map(({ stream, revision }) => [stream, revision])).toEqual(bookkeeping.map((name) => [name, 21]));
      const file = join(tampered, 'audit.jsonl');
      writeFileSync(file, exported);
      expect((await ops(tampered, 'verify', '--export', file)).out).toContain('OK: no problem found');
      writeFileSync(file, exported.replace(/"previous":null/, `"previous":"${'0'.repeat(64)}"`));
      expect((await ops(tampered, 'verify', '--export', file)).status).toBe(1);
      rmSync(tampered, { recursive: true, force: true });
    });

    it('refuses a truncated domain stream, and a gap in a truncated checkpoint stream', async () => {
      const tampered = copyOf(dataDir);
      const stream = mfaStreamName(userId);
      const checkpoints = relayCheckpointStreamOf('ops-spec');
      const store = new SqliteEventStore(join(tampered, 'mfa.sqlite'));
      await store.truncateBefore(stream, 2); // through the port, so only the revisions can tell
      for (let n = 0; n < 5; n += 1) {
        await store.append(checkpoints, [{ id: crypto.randomUUID(), type: 'Bookkept', data: { n } }], 'any');
      }
      await store.truncateBefore(checkpoints, 2);
      await store.close();
      const db = new Database(join(tampered, 'mfa.sqlite'));
      db.prepare('DELETE FROM events WHERE stream = ? AND revision = 3').run(checkpoints);
      db.close();

      const run = await ops(tampered, 'verify');
      expect(run.status).toBe(1);
      expect(run.out).toContain(
        `mfa ${stream} revision 2 [revision]: the stream starts at revision 2, not 0: its first events are gone`,
      );
      expect(run.out).toContain(`mfa ${checkpoints} revision 4 [revision]: revision 4 where 3 was due`);
      expect(run.out).toContain(`mfa ${checkpoints} revision 4 [chain]`);
      expect(run.out).not.toMatch(new RegExp(`${checkpoints} revision 2 `));
      rmSync(tampered, { recursive: true, force: true });
    });

    it('finds a well-chained event that breaks the MFA rules: a time-step accepted twice', async () => {
      const tampered = copyOf(dataDir);
      const verified = mfaEvents.find((event) => event.type === 'MfaChallengeVerified')!;
      // Appended through the store port, so chained like any event: only the replay can tell.
      const store = new SqliteEventStore(join(tampered, 'mfa.sqlite'));
      await store.append(
        verified.stream,
        [{ id: crypto.randomUUID(), type: verified.type, data: verified.data, metadata: { schemaVersion: 2 } }],
        mfaEvents.length - 1,
      );
      await store.close();

      const run = await ops(tampered, 'verify');
      expect(run.status).toBe(1);
      expect(run.out).toContain(
        `mfa ${verified.stream} revision ${mfaEvents.length} [invariant]: MfaChallengeVerified: time-step ${String(verified.data['step'])} accepted again`,
      );
      rmSync(tampered, { recursive: true, force: true });
    });
  });

  describe('export', () => {
    it('writes every event as a JSON line with its chain, which verify --export checks, without a secret', async () => {
      const run = await ops(dataDir, 'export', '--since', '2000-01-01T00:00:00Z');
      expect(run.status).toBe(0);
      expectNoSecretIn(run.out);
      const lines = run.out
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      const mfaLines = lines.filter((line) => line['stream'] === mfaStreamName(userId));
      expect(mfaLines.map((line) => line['type'])).toEqual(mfaEvents.map((event) => event.type));
      expect(mfaLines[0]).toMatchObject({
        source: 'mfa',
        revision: 0,
        public: { data: { label: OPERATOR.email } },
        chain: { previous: '0'.repeat(64), hash: mfaEvents[0]!.metadata[CHAIN_HASH_METADATA] },
      });
      const file = join(root, 'export.jsonl');
      writeFileSync(file, run.out);
      expect(await ops(dataDir, 'verify', '--export', file)).toMatchObject({ status: 0 });

      // An export from a later time starts each stream where it does, and still checks.
      const later = await ops(dataDir, 'export', '--since', new Date(Date.now() + 60_000).toISOString());
      expect(later).toMatchObject({ status: 0, out: '' });
    });

    it('points at a changed or dropped line of an export, and at an event changed in the store before exporting', async () => {
      const exported = (await ops(dataDir, 'export', '--since', '2000-01-01T00:00:00Z')).out.trim().split('\n');
      const at = exported.findIndex((line) => line.includes('"MfaActivated"'));
      const line = JSON.parse(exported[at]!) as { chain: { digest: string } };
      line.chain.digest = line.chain.digest.replace(/^./, (c) => (c === '0' ? '1' : '0'));
      const edited = exported.with(at, JSON.stringify(line));
      const file = join(root, 'edited.jsonl');
      writeFileSync(file, `${edited.join('\n')}\n`);
      const run = await ops(dataDir, 'verify', '--export', file);
      expect(run.status).toBe(1);
      expect(run.out).toContain(`${file}:${at + 1} ${mfaStreamName(userId)} revision 1 [export]: its hash is not`);

      writeFileSync(file, `${exported.toSpliced(at, 1).join('\n')}\n`);
      expect((await ops(dataDir, 'verify', '--export', file)).out).toContain(
        `${file}:${at + 1} ${mfaStreamName(userId)} revision 2 [export]: revision 2 follows revision 0`,
      );

      const tampered = copyOf(dataDir);
      const db = new Database(join(tampered, 'mfa.sqlite'));
      db.prepare(
        `UPDATE events SET data = json_set(data, '$.reason', 'replayed') WHERE type = 'MfaChallengeFailed'`,
      ).run();
      db.close();
      writeFileSync(file, (await ops(tampered, 'export', '--since', '2000-01-01T00:00:00Z')).out);
      const failed = await ops(dataDir, 'verify', '--export', file);
      expect(failed.status).toBe(1);
      expect(failed.out).toMatch(/revision \d+ \[export\]: its hash is not SHA-256/);
      rmSync(tampered, { recursive: true, force: true });
      expect(readFileSync(file, 'utf8')).not.toContain(secrets[0]!);
    });
  });

  it('refuses a bad command line with the usage, and a DATA_DIR without stores, with status 2', async () => {
    expect(await ops(dataDir, 'frobnicate')).toMatchObject({ status: 2, err: expect.stringContaining('usage: ops') });
    expect((await ops(dataDir, 'export')).status).toBe(2);
    expect((await ops(dataDir, 'export', '--since', 'yesterday')).status).toBe(2);
    expect((await ops(dataDir, 'history')).status).toBe(2);
    expect(await ops(join(root, 'empty'), 'verify')).toMatchObject({
      status: 2,
      err: expect.stringContaining('no event store'),
    });
    expect(await ops(dataDir, '--help')).toMatchObject({ status: 0, out: expect.stringContaining('verify --export') });
  });
});
