/**
 * The identity service as its own processes (dist/, so `npm run build` first):
 * two instances on one DATA_DIR sharing the consumer group on the real broker,
 * driven through the message patterns exactly as the gateway drives them. What
 * must hold across instances: the per-account password throttle (kept in the
 * user's events, so a burst spread over both instances gets no more counted
 * guesses than one at a time) and refresh-token rotation with replay detection
 * (a spent token, presented again through either instance, ends the session).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { z } from 'zod';
import {
  IdentityRpc,
  mintRefreshToken,
  refreshTokenHashOf,
  SessionRpc,
  sessionIdOf,
  type IntegrationEvent,
  type RequestOf,
  type Rpc,
} from '#contracts';
import { outcomeOf, ServiceInstances, type Outcome } from '#testing';

const INSTANCES = 2;
/** PASSWORD_DELAY_AFTER_FAILURES at its default: the failures in a row after which attempts must wait. */
const DELAY_AFTER_FAILURES = 5;
/** The first wait, long enough that it still runs when the spec tries the right password. */
const DELAY_BASE_SECONDS = 120;
const kafka = inject('kafkaClients');
const run = randomUUID().slice(0, 8);
const CONTEXT = { ip: '203.0.113.7', userAgent: 'integration-spec' };

describe('identity service over Kafka, as two processes on one store', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'identity-it-'));
  const adminEmail = `admin-${run}@example.com`;
  const adminPassword = `bootstrap admin ${randomUUID()}`;
  const secrets: string[] = [adminPassword];
  let identity: ServiceInstances;

  const call = <R extends Rpc>(rpc: R, payload: RequestOf<R>) => outcomeOf(identity.caller.services, rpc, payload);
  const ok = async <R extends Rpc>(rpc: R, payload: RequestOf<R>): Promise<z.output<R['response']>> =>
    identity.caller.services.call(rpc, payload);
  const signIn = (email: string, password: string) =>
    call(IdentityRpc.verifyCredentials, { email, password, addressAllowed: true, context: CONTEXT });
  /** As the gateway refreshes: identity is sent the presented token's hash and the next one's; the next token with the answer. */
  const refresh = async (refreshToken: string) => {
    const next = mintRefreshToken(sessionIdOf(refreshToken));
    const outcome = await call(SessionRpc.refreshSession, {
      sessionId: next.sessionId,
      presentedHash: refreshTokenHashOf(refreshToken),
      refreshTokenHash: next.refreshTokenHash,
      context: CONTEXT,
    });
    return outcome.ok ? { ok: true as const, value: { ...outcome.value, refreshToken: next.refreshToken } } : outcome;
  };

  /** The published events of one aggregate, each once (the relay is at-least-once), in stream order. */
  const eventsOf = (key: 'userId' | 'sessionId', id: string): IntegrationEvent[] =>
    identity
      .distinctPublished()
      .filter((event) => (key === 'userId' ? event.aggregateId === id : event.data[key] === id))
      .sort((a, b) => a.source.revision - b.source.revision);

  beforeAll(async () => {
    identity = await ServiceInstances.open({
      service: 'identity',
      instances: INSTANCES,
      // No IDENTITY_SEALING_PRIVATE_KEY: the development key is generated into DATA_DIR, where the caller reads its public half.
      env: {
        ...kafka.identity,
        DATA_DIR: dataDir,
        BOOTSTRAP_ADMIN_EMAIL: adminEmail,
        BOOTSTRAP_ADMIN_PASSWORD: adminPassword,
        PASSWORD_DELAY_AFTER_FAILURES: String(DELAY_AFTER_FAILURES),
        PASSWORD_DELAY_BASE_SECONDS: String(DELAY_BASE_SECONDS),
      },
      kafka,
      run,
      health: IdentityRpc.checkHealth,
      bursts: true,
      // Every event: `eventsOf` picks this run's users and sessions by id.
      keep: () => true,
    });
    // Both at once: they also race to create the development key and to bootstrap the installation.
    await identity.start();
  }, 180_000);

  afterAll(async () => {
    await identity?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  // A failure caused by a foreign instance should say so rather than look like a bug.
  afterEach(() => identity.assertAlone());

  const carolEmail = `carol-${run}@example.com`;
  const carolPassword = `carol's own passphrase ${randomUUID()}`;
  let carolId = '';

  it('counts exactly 5 of 12 parallel wrong passwords spread over both instances, answers the rest 429, and refuses the right one while the delay runs', async () => {
    const admin = await signIn(adminEmail, adminPassword);
    if (!admin.ok) throw new Error(`the bootstrap admin cannot sign in: ${admin.code}`);
    expect(admin.value).toMatchObject({ email: adminEmail, roles: ['admin'], passwordChangeRequired: false });
    const carol = await ok(IdentityRpc.registerUser, {
      orgId: admin.value.orgId,
      email: carolEmail,
      password: carolPassword,
      roles: [],
      registeredBy: admin.value.id,
    });
    carolId = carol.id;
    secrets.push(carolPassword);

    const guesses = Array.from({ length: 12 }, (_, n) => `not carol's password ${n} ${randomUUID()}`);
    secrets.push(...guesses);
    let outcomes: Array<Outcome<unknown>> = [];
    let burstMs = 0;
    const reached = await identity.instancesReached(async () => {
      const began = Date.now();
      outcomes = await Promise.all(guesses.map((guess) => signIn(carolEmail, guess)));
      burstMs = Date.now() - began;
    });
    expect(reached).toBe(INSTANCES);

    const codes = outcomes.map((outcome) => (outcome.ok ? 'signed_in' : outcome.code));
    expect(codes.filter((code) => code === 'invalid_credentials')).toHaveLength(DELAY_AFTER_FAILURES);
    expect(codes.filter((code) => code === 'too_many_attempts')).toHaveLength(guesses.length - DELAY_AFTER_FAILURES);
    // An attempt's clock is read on arrival: one that waited for argon2 while a later-arriving guess became the
    // 5th failure is told to wait from its arrival, so up to the burst's length longer than the delay itself.
    for (const outcome of outcomes) {
      if (outcome.ok || outcome.code !== 'too_many_attempts') continue;
      expect(outcome.details?.['retryAfterSeconds']).toBeGreaterThan(0);
      expect(outcome.details?.['retryAfterSeconds']).toBeLessThanOrEqual(
        DELAY_BASE_SECONDS + Math.ceil(burstMs / 1000),
      );
    }

    // The right password, through whichever instance: not even looked at while the delay runs.
    for (let attempt = 0; attempt < INSTANCES * 2; attempt += 1) {
      const right = await signIn(carolEmail, carolPassword);
      expect(right).toMatchObject({
        ok: false,
        code: 'too_many_attempts',
        details: { retryAfterSeconds: expect.any(Number) },
      });
    }

    // The admin lifts the delay. Its event lands right after the counted failures: the refusals wrote nothing.
    await ok(IdentityRpc.unlockUser, {
      userId: carolId,
      reason: 'integration spec',
      unlockedBy: { userId: admin.value.id, orgId: admin.value.orgId },
    });
    await expect
      .poll(() => eventsOf('userId', carolId).map((event) => [event.source.revision, event.type]), { timeout: 20_000 })
      .toEqual([
        [0, 'UserRegistered'],
        ...Array.from({ length: DELAY_AFTER_FAILURES }, (_, n) => [n + 1, 'PasswordCheckFailed']),
        [DELAY_AFTER_FAILURES + 1, 'UserUnlocked'],
      ]);
    expect(await signIn(carolEmail, carolPassword)).toMatchObject({ ok: true, value: { id: carolId } });
  });

  const startSession = async () => {
    const { sessionId, refreshToken, refreshTokenHash } = mintRefreshToken();
    const grant = await ok(SessionRpc.startSession, {
      sessionId,
      refreshTokenHash,
      userId: carolId,
      amr: ['pwd'],
      authenticatedAt: new Date().toISOString(),
      context: CONTEXT,
    });
    secrets.push(refreshToken);
    return { ...grant, refreshToken };
  };
  const listed = async () => (await ok(SessionRpc.listSessions, { userId: carolId })).sessions.map(({ id }) => id);

  it('rotates a refresh token; the old one presented again ends the session, and the new one with it', async () => {
    expect(carolId).not.toBe('');
    const started = await startSession();
    const rotated = await refresh(started.refreshToken);
    if (!rotated.ok) throw new Error(`the first refresh was refused: ${rotated.code}`);
    secrets.push(rotated.value.refreshToken);
    expect(rotated.value).toMatchObject({ sessionId: started.sessionId, userId: carolId, amr: ['pwd'] });
    expect(rotated.value.refreshToken).not.toBe(started.refreshToken);
    expect(await listed()).toContain(started.sessionId);

    // Replayed (the thief's copy, or the owner's after the thief refreshed), then the holder of the rotated one.
    const replayed = await refresh(started.refreshToken);
    expect(replayed).toMatchObject({ ok: false, code: 'invalid_refresh_token' });
    for (let attempt = 0; attempt < INSTANCES * 2; attempt += 1) {
      expect(await refresh(rotated.value.refreshToken)).toEqual(replayed);
    }
    expect(await listed()).not.toContain(started.sessionId);
    await expect
      .poll(() => eventsOf('sessionId', started.sessionId).map((event) => [event.type, event.data['reason'] ?? null]), {
        timeout: 20_000,
      })
      .toEqual([
        ['SessionStarted', null],
        ['SessionRevoked', 'refresh_token_reused'],
      ]);
  });

  it('lets at most one of two parallel refreshes with one token through, and then ends the session', async () => {
    const sessions = await Promise.all([1, 2, 3, 4].map(() => startSession()));
    let outcomes: Array<Array<Awaited<ReturnType<typeof refresh>>>> = [];
    // Each session's two refreshes, and the four sessions, at once: the two instances share the load.
    const reached = await identity.instancesReached(async () => {
      outcomes = await Promise.all(
        sessions.map(({ refreshToken }) => Promise.all([refresh(refreshToken), refresh(refreshToken)])),
      );
    });
    expect(reached).toBe(INSTANCES);

    for (const [i, pair] of outcomes.entries()) {
      const sessionId = sessions[i]!.sessionId;
      const codes = pair.map((outcome) => (outcome.ok ? 'refreshed' : outcome.code)).sort();
      // One rotated, then the other presented a spent token: no grace period a thief could use.
      expect(codes).toEqual(['invalid_refresh_token', 'refreshed']);
      for (const outcome of pair) {
        if (!outcome.ok) continue;
        secrets.push(outcome.value.refreshToken);
        expect(outcome.value.sessionId).toBe(sessionId);
        expect(await refresh(outcome.value.refreshToken)).toMatchObject({ ok: false, code: 'invalid_refresh_token' });
      }
    }
    const stillListed = await listed();
    for (const { sessionId } of sessions) expect(stillListed).not.toContain(sessionId);
    await expect
      .poll(
        () =>
          sessions.map(({ sessionId }) =>
            eventsOf('sessionId', sessionId).map((event) => [event.type, event.data['reason'] ?? null]),
          ),
        { timeout: 20_000 },
      )
      .toEqual(
        sessions.map(() => [
          ['SessionStarted', null],
          ['SessionRevoked', 'refresh_token_reused'],
        ]),
      );
  });

  it('logged no password and no refresh token in either process', () => {
    const logs = identity.logs();
    expect(logs).toContain('bootstrapped the installation'); // once: the other instance found it done
    expect(logs.match(/bootstrapped the installation/g)).toHaveLength(1);
    for (const secret of secrets) expect(logs).not.toContain(secret);
  });
});
