/**
 * The mfa service as its own processes (dist/, so `npm run build` first): two
 * instances on one DATA_DIR sharing the consumer group on the real broker,
 * driven through the message patterns exactly as the gateway drives them. Codes come from the wall clock; every scenario starts on a step
 * with at least STEP_MARGIN_MS left, and types codes of that step, the one
 * before (activation) and the one after (login), so that no 30-second
 * boundary can fall between computing a code and the service checking it.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { z } from 'zod';
import { MfaRpc, type RequestOf, type Rpc } from '#contracts';
import { codeForStep, DEFAULT_TOTP_PARAMETERS, timeStep } from '../../apps/mfa/src/totp/totp.js';
import { outcomeOf, ServiceInstances } from '#testing';

const PERIOD_MS = DEFAULT_TOTP_PARAMETERS.period * 1000;
const STEP_MARGIN_MS = 6_000;
const INSTANCES = 2;
const kafka = inject('kafkaClients');
const run = randomUUID().slice(0, 8);
const CONTEXT = { ip: '203.0.113.9', userAgent: 'integration-spec' };

const appCode = (secret: string, step: number) =>
  codeForStep({ secret, step, algorithm: DEFAULT_TOTP_PARAMETERS.algorithm, digits: DEFAULT_TOTP_PARAMETERS.digits });

/** The current step, once at least STEP_MARGIN_MS of it remain (else waits for the next one: at most that long). */
async function freshStep(): Promise<number> {
  const left = PERIOD_MS - (Date.now() % PERIOD_MS);
  if (left < STEP_MARGIN_MS) await sleep(left + 100);
  return timeStep(new Date(), DEFAULT_TOTP_PARAMETERS.period);
}

/** A 6-digit code that is none of the codes of the steps around `step`. */
function wrongCode(secret: string, step: number): string {
  const near = new Set([step - 2, step - 1, step, step + 1, step + 2].map((s) => appCode(secret, s)));
  for (let n = 0; ; n += 1) if (!near.has(String(n).padStart(6, '0'))) return String(n).padStart(6, '0');
}

describe('mfa service over Kafka, as separate processes', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mfa-it-'));
  const secrets: string[] = [];
  const typedCodes: string[] = [];
  let mfa: ServiceInstances;

  const call = <R extends Rpc>(rpc: R, payload: RequestOf<R>) => outcomeOf(mfa.caller.services, rpc, payload);
  const ok = async <R extends Rpc>(rpc: R, payload: RequestOf<R>): Promise<z.output<R['response']>> =>
    mfa.caller.services.call(rpc, payload);
  /** A login's code step, with the id of its own mfaToken unless one is given. */
  const verify = (userId: string, code: string, challengeId: string = randomUUID()) => {
    typedCodes.push(code);
    return call(MfaRpc.verifyChallenge, { userId, code, context: CONTEXT, challengeId });
  };

  /** Enrols and activates `userId` with the codes of steps s - 1 and s; answers the secret. */
  async function activeUser(userId: string, s: number): Promise<string> {
    const { secret } = await ok(MfaRpc.startEnrollment, { userId, label: `${userId}@example.com` });
    secrets.push(secret);
    const [code1, code2] = [appCode(secret, s - 1), appCode(secret, s)];
    typedCodes.push(code1, code2);
    await ok(MfaRpc.activate, { userId, code1, code2 });
    return secret;
  }

  beforeAll(async () => {
    mfa = await ServiceInstances.open({
      service: 'mfa',
      instances: INSTANCES,
      // No MFA_ENCRYPTION_KEY: the development key is generated into DATA_DIR and must survive the restart.
      env: { ...kafka.mfa, DATA_DIR: dataDir, MFA_MAX_FAILED_ATTEMPTS: '5', MFA_LOCKOUT_SECONDS: '300' },
      kafka,
      run,
      health: MfaRpc.checkHealth,
      bursts: true,
      keep: (event) => event.userId?.startsWith(`it-${run}-`) ?? false,
    });
    // Parallel requests then really run in parallel, on two processes appending to one SQLite file.
    await mfa.start();
  }, 180_000);

  afterAll(async () => {
    await mfa?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  // A failure caused by a foreign instance should say so rather than look like a bug.
  afterEach(() => mfa.assertAlone());

  const tokenUsers = [1, 2, 3, 4].map((n) => `it-${run}-token-${n}`);
  const ann = `it-${run}-ann`;
  let annLastStep = 0;
  let annSecret = '';

  it('walks enrol → activate with two consecutive codes → verify → the same code refused like a wrong one', async () => {
    const s = await freshStep();
    const enrollment = await ok(MfaRpc.startEnrollment, { userId: ann, label: 'ann@example.com' });
    annSecret = enrollment.secret;
    secrets.push(enrollment.secret);
    expect(enrollment.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(enrollment.otpauthUri).toBe(
      `otpauth://totp/totp-mfa:ann%40example.com?secret=${enrollment.secret}&issuer=totp-mfa&algorithm=SHA1&digits=6&period=30`,
    );
    expect(enrollment.qrCode).toMatch(/^data:image\/png;base64,/);
    expect(await ok(MfaRpc.getStatus, { userId: ann })).toEqual({
      status: 'pending',
      activatedAt: null,
      recoveryCodesRemaining: null,
    });

    const [code1, code2] = [appCode(annSecret, s - 1), appCode(annSecret, s)];
    typedCodes.push(code1, code2);
    expect(await call(MfaRpc.activate, { userId: ann, code1: code2, code2: code1 })).toMatchObject({
      ok: false,
      code: 'invalid_codes',
    });
    const activation = await call(MfaRpc.activate, { userId: ann, code1, code2 });
    expect(activation).toEqual({
      ok: true,
      value: {
        status: 'active',
        activatedAt: expect.any(String),
        recoveryCodesRemaining: 10,
        recoveryCodes: expect.any(Array),
      },
    });
    // Over the broker, sealed to this request's key, opened and read back as the list it was.
    const recoveryCodes = activation.ok ? activation.value.recoveryCodes : [];
    expect(recoveryCodes).toHaveLength(10);
    secrets.push(...recoveryCodes);

    const login = appCode(annSecret, s + 1);
    expect(await verify(ann, login)).toEqual({ ok: true, value: { verified: true } });
    annLastStep = s + 1;
    const replayed = await verify(ann, login);
    const wrong = await verify(ann, wrongCode(annSecret, s));
    expect(replayed).toEqual({ ok: false, code: 'invalid_code', message: 'the code is not valid' });
    expect(wrong).toEqual(replayed);

    const { events } = await ok(MfaRpc.getHistory, { userId: ann });
    expect(events.map((event) => [event.type, event.data['reason'] ?? null])).toEqual([
      ['MfaEnrollmentStarted', null],
      ['MfaChallengeFailed', 'invalid_code'],
      ['MfaActivated', null],
      ['RecoveryCodesGenerated', 'activation'],
      ['MfaChallengeVerified', null],
      ['MfaChallengeFailed', 'replayed'],
      ['MfaChallengeFailed', 'invalid_code'],
    ]);
    expect(JSON.stringify(events)).not.toContain(annSecret);
    expect(events[0]?.data).not.toHaveProperty('secret');
  });

  it('lets exactly one of 10 parallel verifications of one valid code through', async () => {
    const userId = `it-${run}-parallel`;
    const s = await freshStep();
    const secret = await activeUser(userId, s);
    const code = appCode(secret, s + 1);

    const outcomes = await Promise.all(Array.from({ length: 10 }, () => verify(userId, code)));

    expect(outcomes.filter((outcome) => outcome.ok)).toEqual([{ ok: true, value: { verified: true } }]);
    // Replays count as failures: the fifth sets the lock-out, later ones meet it. Never an internal error.
    for (const outcome of outcomes) if (!outcome.ok) expect(['invalid_code', 'mfa_locked']).toContain(outcome.code);
    const { events } = await ok(MfaRpc.getHistory, { userId });
    expect(events.filter((event) => event.type === 'MfaChallengeVerified')).toHaveLength(1);
    expect(
      events.filter((event) => event.type === 'MfaChallengeFailed' && event.data['purpose'] === 'login'),
    ).toHaveLength(9);
  });

  const bob = `it-${run}-bob`;
  let bobSecret = '';

  it('locks after 5 wrong codes: the right code is then refused with mfa_locked', async () => {
    const s = await freshStep();
    bobSecret = await activeUser(bob, s);

    for (let attempt = 1; attempt <= 5; attempt += 1) {
      expect(await verify(bob, wrongCode(bobSecret, s))).toMatchObject({ ok: false, code: 'invalid_code' });
    }
    const right = await verify(bob, appCode(bobSecret, s + 1));
    expect(right).toMatchObject({ ok: false, code: 'mfa_locked', details: { lockedUntil: expect.any(String) } });
    if (!right.ok) expect(Date.parse(String(right.details?.['lockedUntil']))).toBeGreaterThan(Date.now() + 290_000);
  });

  it('keeps the lock-out and the last used step across a restart of the service (same DATA_DIR)', async () => {
    expect(annLastStep).toBeGreaterThan(0);
    await mfa.stopInstances();
    await mfa.start();
    // Ann's last step stays within the drift window until its step + 1 ends: at least a minute after it was used.
    expect(timeStep(new Date(), 30)).toBeLessThanOrEqual(annLastStep + 1);

    const replayed = await verify(ann, appCode(annSecret, annLastStep));
    expect(replayed).toEqual({ ok: false, code: 'invalid_code', message: 'the code is not valid' });
    const { events } = await ok(MfaRpc.getHistory, { userId: ann });
    expect(events.at(-1)?.data).toMatchObject({ reason: 'replayed' }); // refused as spent, not as out of the window

    const now = timeStep(new Date(), 30);
    expect(await verify(bob, appCode(bobSecret, now + 1))).toMatchObject({ ok: false, code: 'mfa_locked' });
    expect(await ok(MfaRpc.getStatus, { userId: bob })).toMatchObject({ status: 'active' });
  }, 120_000);

  // After the restart spec on purpose: this spec waits for a step to pass, which before it would take Ann's last
  // step out of the drift window the restart spec relies on.
  it('lets one mfaToken verify one code: used concurrently with two different valid codes, exactly one succeeds', async () => {
    const s = await freshStep();
    const userSecrets = await Promise.all(tokenUsers.map((userId) => activeUser(userId, s)));
    // Once the next step has begun, the codes of that step and of the one after are both valid and unused.
    await sleep(PERIOD_MS - (Date.now() % PERIOD_MS) + 100);
    expect(timeStep(new Date(), DEFAULT_TOTP_PARAMETERS.period)).toBe(s + 1);
    const tokens = tokenUsers.map(() => randomUUID());

    // Each user's two requests, and the four users, at once: the two instances share the load.
    const outcomes = await Promise.all(
      tokenUsers.map(async (userId, i) => {
        const [secret, token] = [userSecrets[i]!, tokens[i]!];
        const pair = await Promise.all([
          verify(userId, appCode(secret, s + 1), token),
          verify(userId, appCode(secret, s + 2), token),
        ]);
        return pair.map((outcome) => (outcome.ok ? 'verified' : outcome.code)).sort();
      }),
    );

    expect(outcomes).toEqual(tokenUsers.map(() => ['invalid_mfa_token', 'verified']));
    for (const [i, userId] of tokenUsers.entries()) {
      const { events } = await ok(MfaRpc.getHistory, { userId });
      const logins = events.filter((event) => event.type.startsWith('MfaChallenge'));
      // The refused use recorded nothing: no code was checked, so nothing counts toward the lock-out.
      expect(logins.map((event) => [event.type, event.data['challengeId']])).toEqual([
        ['MfaChallengeVerified', tokens[i]],
      ]);
    }
  }, 90_000);

  it('published every event to auth.mfa.events, without secret material', async () => {
    const expected = (
      await Promise.all(
        [ann, `it-${run}-parallel`, ...tokenUsers, bob].map((userId) => ok(MfaRpc.getHistory, { userId })),
      )
    ).reduce((total, { events }) => total + events.length, 0);
    await expect.poll(() => mfa.distinctPublished().length, { timeout: 20_000 }).toBe(expected);

    // At least once (a relay lease handover may publish again; consumers dedupe by eventId), in order per user (the key).
    const firstSeen = mfa.distinctPublished();
    const annEvents = firstSeen.filter((event) => event.userId === ann);
    expect(annEvents.map((event) => event.source.revision)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(annEvents[0]).toMatchObject({
      type: 'MfaEnrollmentStarted',
      schemaVersion: 1,
      aggregateId: ann,
      userId: ann,
      source: { stream: `mfa-${ann}`, revision: 0 },
      data: { keyId: expect.stringMatching(/^[0-9a-f]{16}$/), label: 'ann@example.com' },
    });
    const json = JSON.stringify(mfa.published);
    for (const secret of secrets) expect(json).not.toContain(secret);
    expect(json).not.toMatch(/"(secret|ciphertext|iv|tag)"/);
  });

  it('logged neither a secret nor a code in either run of the process', () => {
    const logs = mfa.logs();
    expect(logs).toContain('MFA_ENCRYPTION_KEY is not set'); // the development-key warning, once per start
    expect(logs.match(/MFA_ENCRYPTION_KEY is not set/g)).toHaveLength(2 * INSTANCES);
    for (const secret of secrets) expect(logs).not.toContain(secret);
    for (const code of new Set(typedCodes)) expect(logs).not.toContain(code);
  });
});
