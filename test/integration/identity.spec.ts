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
import { AssignerProtocol, type Consumer } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { z } from 'zod';
import {
  IdentityRpc,
  INTEGRATION_TOPICS,
  SessionRpc,
  type IntegrationEvent,
  type RequestOf,
  type Rpc,
} from '#contracts';
import { ensureTopics, prefixed, serviceTopics } from '#messaging';
import {
  connectCaller,
  outcomeOf,
  type Outcome,
  consumersOf,
  kafkaClientFor,
  kafkaConnectionFor,
  spawnApp,
  waitUntilAnswering,
  type AppProcess,
  type Caller,
} from '#testing';

const INSTANCES = 2;
/** PASSWORD_DELAY_AFTER_FAILURES at its default: the failures in a row after which attempts must wait. */
const DELAY_AFTER_FAILURES = 5;
/** The first wait, long enough that it still runs when the spec tries the right password. */
const DELAY_BASE_SECONDS = 120;
const brokers = inject('kafkaBrokers');
const kafka = inject('kafkaClients');
const run = randomUUID().slice(0, 8);
const CONTEXT = { ip: '203.0.113.7', userAgent: 'integration-spec' };

describe('identity service over Kafka, as two processes on one store', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'identity-it-'));
  const adminEmail = `admin-${run}@example.com`;
  const adminPassword = `bootstrap admin ${randomUUID()}`;
  // No IDENTITY_SEALING_PRIVATE_KEY: the development key is generated into DATA_DIR, where the caller reads its public half.
  const env = {
    ...kafka.identity,
    DATA_DIR: dataDir,
    BOOTSTRAP_ADMIN_EMAIL: adminEmail,
    BOOTSTRAP_ADMIN_PASSWORD: adminPassword,
    PASSWORD_DELAY_AFTER_FAILURES: String(DELAY_AFTER_FAILURES),
    PASSWORD_DELAY_BASE_SECONDS: String(DELAY_BASE_SECONDS),
  };
  const processes: AppProcess[] = [];
  const published: IntegrationEvent[] = [];
  const secrets: string[] = [adminPassword];
  let caller: Caller;
  let relayConsumer: Consumer;

  const call = <R extends Rpc>(rpc: R, payload: RequestOf<R>) => outcomeOf(caller.services, rpc, payload);
  const ok = async <R extends Rpc>(rpc: R, payload: RequestOf<R>): Promise<z.output<R['response']>> =>
    caller.services.call(rpc, payload);
  const signIn = (email: string, password: string) =>
    call(IdentityRpc.verifyCredentials, { email, password, addressAllowed: true, context: CONTEXT });
  const refresh = (refreshToken: string) => call(SessionRpc.refreshSession, { refreshToken, context: CONTEXT });

  /** The published events of one aggregate, each once (every instance's relay publishes it), in stream order. */
  const eventsOf = (key: 'userId' | 'sessionId', id: string): IntegrationEvent[] =>
    [...new Map(published.map((event) => [event.eventId, event])).values()]
      .filter((event) => (key === 'userId' ? event.aggregateId === id : event.data[key] === id))
      .sort((a, b) => a.source.revision - b.source.revision);

  const connection = kafkaConnectionFor(kafka.admin);
  const requestTopic = (rpc: Rpc) => prefixed(connection, rpc.pattern);
  const BURST_TOPICS = [requestTopic(IdentityRpc.verifyCredentials), requestTopic(SessionRpc.refreshSession)];

  /**
   * The owner of each partition of `topics` in the "identity" group, once it is
   * stable with every instance owning some of each: counting members is not
   * enough, since a member that has joined holds nothing until the rebalance
   * completes, and a burst sent meanwhile goes to the other instance alone.
   */
  async function requestOwners(topics: readonly string[]): Promise<Map<string, string>> {
    const admin = kafkaClientFor(kafka.admin, `it-identity-owners-${run}`).admin();
    await admin.connect();
    try {
      const { groups } = await admin.describeGroups([prefixed(connection, 'identity')]);
      const group = groups[0];
      if (group?.state !== 'Stable') throw new Error(`the "identity" group is ${group?.state ?? 'missing'}`);
      const owners = new Map<string, string>();
      for (const member of group.members) {
        const assignment = AssignerProtocol.MemberAssignment.decode(member.memberAssignment)?.assignment;
        for (const topic of topics) {
          const partitions = assignment?.[topic] ?? [];
          if (partitions.length === 0) throw new Error(`${member.memberId} owns no partition of ${topic} yet`);
          for (const partition of partitions) owners.set(`${topic}/${partition}`, member.memberId);
        }
      }
      return owners;
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * How many instances were handed requests of `rpc` while `burst` ran: the
   * partitions whose end moved, mapped to their owner (the same before and
   * after, so no rebalance moved them meanwhile). The caller's producer spreads
   * unkeyed requests over the partitions round robin.
   */
  async function instancesReached(rpc: Rpc, burst: () => Promise<void>): Promise<number> {
    const topic = requestTopic(rpc);
    const admin = kafkaClientFor(kafka.admin, `it-identity-spread-${run}`).admin();
    await admin.connect();
    try {
      const ends = async () =>
        new Map((await admin.fetchTopicOffsets(topic)).map(({ partition, high }) => [partition, high]));
      const owners = await requestOwners([topic]);
      const before = await ends();
      await burst();
      const after = await ends();
      expect(await requestOwners([topic]), 'the "identity" group rebalanced during the burst').toEqual(owners);
      const reached = new Set<string>();
      for (const [partition, high] of after) {
        if (high !== before.get(partition)) reached.add(owners.get(`${topic}/${partition}`)!);
      }
      return reached.size;
    } finally {
      await admin.disconnect();
    }
  }

  beforeAll(async () => {
    caller = await connectCaller(kafka.gateway, `gateway-it-identity-${run}`, 15_000, dataDir);
    // The service creates its topics at start; the subscriber (who may not create any) joins first on a new broker.
    await ensureTopics(kafkaConnectionFor(kafka.identity), 'it-identity-setup', serviceTopics('identity'));
    relayConsumer = kafkaClientFor(kafka.subscriber, `it-identity-relay-${run}`).consumer({
      groupId: `subscriber-it-identity-relay-${run}`,
      maxWaitTimeInMs: 100,
    });
    await relayConsumer.connect();
    const joined = new Promise<void>((resolve) => relayConsumer.on(relayConsumer.events.GROUP_JOIN, () => resolve()));
    await relayConsumer.subscribe({ topics: [INTEGRATION_TOPICS.identity], fromBeginning: false });
    await relayConsumer.run({
      eachMessage: async ({ message }) => {
        published.push(JSON.parse(message.value?.toString() ?? 'null') as IntegrationEvent);
      },
    });
    await joined;

    // Both at once: they also race to create the development key and to bootstrap the installation.
    const started = Array.from({ length: INSTANCES }, () => spawnApp('identity', env));
    processes.push(...started);
    try {
      await waitUntilAnswering(() => caller.services.call(IdentityRpc.checkHealth, {}), 90_000);
      await waitUntilAnswering(async () => {
        const consumers = await consumersOf(kafka.admin, 'identity');
        if (consumers > INSTANCES) {
          throw new Error(
            `${consumers} processes consume the "identity" group on ${brokers}: another identity service (another ` +
              'test run?) would answer some requests from its own store; stop it and run again',
          );
        }
        if (consumers < INSTANCES)
          throw new Error(`${consumers} of ${INSTANCES} instances joined the "identity" group`);
        await requestOwners(BURST_TOPICS);
      }, 60_000);
    } catch (error) {
      const output = started
        .map((identity) => identity.logs())
        .join('\n')
        .slice(-3000);
      throw new Error(`identity did not start: ${(error as Error).message}\n--- identity output ---\n${output}`);
    }
  }, 180_000);

  afterAll(async () => {
    await Promise.all(processes.map((identity) => identity.stop()));
    await relayConsumer?.disconnect();
    await caller?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  afterEach(async () => {
    // A failure caused by a foreign instance should say so rather than look like a bug.
    const consumers = await consumersOf(kafka.admin, 'identity');
    if (consumers > INSTANCES) {
      throw new Error(
        `another identity service joined the "identity" group on ${brokers} during this test; its answers are not ours`,
      );
    }
  });

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
    const reached = await instancesReached(IdentityRpc.verifyCredentials, async () => {
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
    const tokens = await ok(SessionRpc.startSession, {
      userId: carolId,
      amr: ['pwd'],
      authenticatedAt: new Date().toISOString(),
      context: CONTEXT,
    });
    secrets.push(tokens.refreshToken);
    return tokens;
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
    let outcomes: Array<Array<Outcome<z.output<typeof SessionRpc.refreshSession.response>>>> = [];
    // Each session's two refreshes, and the four sessions, at once: the two instances share the load.
    const reached = await instancesReached(SessionRpc.refreshSession, async () => {
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
    const logs = processes.map((identity) => identity.logs()).join('\n');
    expect(logs).toContain('bootstrapped the installation'); // once: the other instance found it done
    expect(logs.match(/bootstrapped the installation/g)).toHaveLength(1);
    for (const secret of secrets) expect(logs).not.toContain(secret);
  });
});
