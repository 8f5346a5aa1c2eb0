/**
 * `ops verify` over 1,000,000 events (issue 11: at least 50,000 events/s).
 *
 * The events are MFA events as the mfa service writes them (encoded by its
 * codec, appended through the store port, so chained by the store): 10,000
 * users, each enrolled, activated with two consecutive steps, then 98 checks
 * (a wrong code now and then, the others accepted at increasing steps),
 * appended as four appends per user at the expected revision. Then the CLI's
 * own `verify` reads the file whole: revisions, the hash chain (a canonical
 * JSON and two SHA-256 per event), decoding, the decider's `evolve` and the
 * MFA rules, each event once.
 *
 * Run (the build compiles bench/ too, and libs resolve from dist/):
 *   npm run build && node dist/bench/verify.bench.js [events] [directory]
 */
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SqliteEventStore, type NewEvent } from '#event-store';
import { runOps } from '../apps/ops/src/ops.js';
import { mfaEnrollmentCodec } from '../apps/mfa/src/mfa-enrollment/mfa-enrollment.codec.js';
import type { MfaEnrollmentEvent } from '../apps/mfa/src/mfa-enrollment/mfa-enrollment.events.js';

const EVENTS_PER_USER = 100;
const APPENDS_PER_USER = 4;
const totalEvents = Number(process.argv[2] ?? 1_000_000);
if (!(Number.isInteger(totalEvents) && totalEvents >= EVENTS_PER_USER)) {
  throw new Error(`usage: verify.bench.js [events >= ${EVENTS_PER_USER}] [directory]`);
}
const directory = mkdtempSync(join(process.argv[3] ?? tmpdir(), 'verify-bench-'));
const T0 = Date.parse('2026-01-05T08:00:05Z');
const CONTEXT = { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (bench) AppleWebKit/537.36' };

/** One user's stream as the decider would have written it. */
function userEvents(user: number): MfaEnrollmentEvent[] {
  const start = T0 + user * 1000;
  const at = (seconds: number) => new Date(start + seconds * 1000).toISOString();
  const stepAt = (seconds: number) => Math.floor((start + seconds * 1000) / 30_000);
  const enrollmentId = randomUUID();
  const events: MfaEnrollmentEvent[] = [
    {
      type: 'MfaEnrollmentStarted',
      data: {
        enrollmentId,
        secret: {
          keyId: 'k1',
          iv: randomBytes(12).toString('base64'),
          ciphertext: randomBytes(20).toString('base64'),
          tag: randomBytes(16).toString('base64'),
        },
        algorithm: 'SHA1',
        digits: 6,
        period: 30,
        issuer: 'totp-mfa',
        label: `user-${user}@example.org`,
        startedAt: at(0),
        expiresAt: at(600),
      },
    },
    { type: 'MfaActivated', data: { enrollmentId, activatedAt: at(30), steps: [stepAt(30) - 1, stepAt(30)] } },
  ];
  for (let check = 1; events.length < EVENTS_PER_USER; check += 1) {
    const seconds = 30 + check * 60; // one login a minute: a fresh step each time
    if (check % 10 === 0) {
      events.push({
        type: 'MfaChallengeFailed',
        data: {
          purpose: 'login',
          reason: 'invalid_code',
          failedAt: at(seconds),
          consecutiveFailures: 1,
          failuresSinceSuccess: 1,
          locksSinceSuccess: 0,
          lockedUntil: null,
          requiresAdminReset: false,
          challengeId: randomUUID(),
          context: CONTEXT,
        },
      });
    } else {
      events.push({
        type: 'MfaChallengeVerified',
        data: { step: stepAt(seconds), verifiedAt: at(seconds), challengeId: randomUUID(), context: CONTEXT },
      });
    }
  }
  return events;
}

const toNewEvent = (event: MfaEnrollmentEvent): NewEvent => ({ id: randomUUID(), ...mfaEnrollmentCodec.encode(event) });

async function main(): Promise<void> {
  const users = Math.ceil(totalEvents / EVENTS_PER_USER);
  const dataDir = join(directory, 'data');
  mkdirSync(dataDir);
  const store = new SqliteEventStore(join(dataDir, 'mfa.sqlite'));
  const fillStart = performance.now();
  try {
    const perAppend = EVENTS_PER_USER / APPENDS_PER_USER;
    for (let user = 0; user < users; user += 1) {
      const events = userEvents(user).map(toNewEvent);
      for (let part = 0; part < APPENDS_PER_USER; part += 1) {
        const expected = part === 0 ? 'no_stream' : part * perAppend - 1;
        await store.append(`mfa-${user}`, events.slice(part * perAppend, (part + 1) * perAppend), expected);
      }
    }
  } finally {
    await store.close();
  }
  const events = users * EVENTS_PER_USER;
  console.log(
    `filled through the port: ${events.toLocaleString('en')} events (${users.toLocaleString('en')} users × ${EVENTS_PER_USER}) in ${((performance.now() - fillStart) / 1000).toFixed(1)} s`,
  );

  let out = '';
  const cpuStart = process.cpuUsage();
  const verifyStart = performance.now();
  const status = await runOps(['verify', '--json'], {
    env: { DATA_DIR: dataDir },
    out: (text) => void (out += text),
    err: { write: (text) => void process.stderr.write(text), isTTY: process.stderr.isTTY === true },
  });
  const seconds = (performance.now() - verifyStart) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const report = JSON.parse(out) as { ok: boolean; stores: Array<{ events: number; replayedEvents: number }> };
  const verified = report.stores.reduce((sum, summary) => sum + summary.events, 0);
  const replayed = report.stores.reduce((sum, summary) => sum + summary.replayedEvents, 0);
  if (status !== 0 || !report.ok || verified !== events || replayed !== events) {
    throw new Error(`verify did not pass cleanly over every event: ${out.slice(0, 2000)}`);
  }
  console.log(
    `ops verify: ${verified.toLocaleString('en')} events in ${seconds.toFixed(1)} s = ${Math.round(verified / seconds).toLocaleString('en')} events/s (goal: 50,000)`,
  );
  // On a machine shared with other work the wall-clock figure follows the load; the CPU time does not.
  console.log(
    `  CPU time of this process: ${cpuSeconds.toFixed(1)} s = ${Math.round(verified / cpuSeconds).toLocaleString('en')} events per CPU-second`,
  );
}

try {
  await main();
} finally {
  rmSync(directory, { recursive: true, force: true });
}
