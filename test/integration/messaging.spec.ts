import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestMicroservice } from '@nestjs/common';
import type { Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DomainError, INTEGRATION_TOPICS, MfaRpc, PolicyRpc, type IntegrationEvent } from '#contracts';
import { loadConfig } from '#config';
import { SqliteEventStore, type RecordedEvent } from '#event-store';
import {
  ensureTopics,
  IntegrationEventRelay,
  KafkaIntegrationEventPublisher,
  KafkaRelayLease,
  replyTopic,
  requestTopic,
  serviceTopics,
  startService,
} from '#messaging';
import { withRequestContext } from '#observability';
import { connectCaller, kafkaClientFor, kafkaConnectionFor, waitUntilAnswering, type Caller } from '#testing';
import { PolicyModule } from '../../apps/policy/src/policy.module.js';

const kafka = inject('kafkaClients');
const run = randomUUID().slice(0, 8);
const POLICY_REQUESTS = requestTopic('policy');
const POLICY_REPLIES = replyTopic(POLICY_REQUESTS);

describe('request/reply over Kafka (the policy service, real module)', () => {
  let dataDir: string;
  let policy: INestMicroservice;
  let caller: Caller;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'messaging-'));
    const config = loadConfig('policy', { ...kafka.policy, DATA_DIR: dataDir });
    policy = await startService({
      service: 'policy',
      module: PolicyModule.register(config),
      config,
      logger: false,
    });
    caller = await connectCaller(kafka.gateway, `gateway-test-messaging-${run}`, 10_000);
    await waitUntilAnswering(() => caller.services.call(PolicyRpc.checkHealth, {}));
  });

  afterAll(async () => {
    await caller?.close();
    await policy?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers values and typed refusals through the transport', async () => {
    const orgId = `org-${run}`;
    const set = await caller.services.call(PolicyRpc.setIpAllowlist, {
      orgId,
      cidrs: ['10.1.2.3/8', '::1'],
      setBy: 'admin-1',
    });
    expect(set).toEqual({
      orgId,
      ipAllowlist: ['10.0.0.0/8', '::1/128'],
      mfa: { requiredForAll: false, requiredForRoles: [] },
    });
    const refusal = caller.services.call(PolicyRpc.setIpAllowlist, { orgId, cidrs: ['300.1.1.1'], setBy: 'admin-1' });
    await expect(refusal).rejects.toBeInstanceOf(DomainError);
    await expect(refusal).rejects.toMatchObject({
      code: 'validation_failed',
      message: expect.stringContaining('300.1.1.1'),
    });
    expect(
      await caller.services.call(PolicyRpc.evaluateLogin, { orgId, roles: [], ip: '10.9.9.9', mfaActive: false }),
    ).toEqual({ allowed: true, mfaRequired: false, enrollmentRequired: false });
  });

  it('answers an invalid payload with invalid_payload, not a crash', async () => {
    const call = caller.services.call(PolicyRpc.getPolicy, { orgId: 'not an id!' } as never);
    await expect(call).rejects.toMatchObject({ code: 'invalid_payload' });
    expect(await caller.services.call(PolicyRpc.getPolicy, { orgId: `org-${run}` })).toMatchObject({
      orgId: `org-${run}`,
    });
  });

  it('commits the requests it takes a moment after taking them (not in a round trip after each fetch)', async () => {
    const admin = kafkaClientFor(kafka.admin, `test-offsets-${run}`).admin();
    await admin.connect();
    try {
      const topic = POLICY_REQUESTS;
      for (let i = 0; i < 8; i += 1) await caller.services.call(PolicyRpc.checkHealth, {});
      const ends = (await admin.fetchTopicOffsets(topic)).filter(({ offset }) => offset !== '0');
      expect(ends.length).toBeGreaterThan(0);
      // The group resumes after every request taken: none would come again to another instance.
      await expect
        .poll(
          async () => {
            const [committed] = await admin.fetchOffsets({ groupId: 'policy', topics: [topic] });
            return ends.filter(
              ({ partition, offset }) =>
                BigInt(committed?.partitions.find((p) => p.partition === partition)?.offset ?? '-1') < BigInt(offset),
            );
          },
          { timeout: 5_000 },
        )
        .toEqual([]);
    } finally {
      await admin.disconnect();
    }
  });

  it("drops a request older than the callers' timeout, or naming another service's pattern, instead of acting on it", async () => {
    const gateway = kafkaClientFor(kafka.gateway, `test-stale-${run}`);
    const replies: string[] = [];
    const reader = gateway.consumer({ groupId: `gateway-test-stale-${run}`, maxWaitTimeInMs: 250 });
    const producer = gateway.producer();
    await Promise.all([reader.connect(), producer.connect()]);
    try {
      await reader.subscribe({ topic: POLICY_REPLIES, fromBeginning: false });
      await reader.run({
        eachMessage: async ({ message }) => void replies.push(String(message.headers?.kafka_correlationId ?? '')),
      });
      await new Promise((resolve) => setTimeout(resolve, 2_000)); // the reader joins its group
      const request = (correlationId: string, timestamp: number, pattern = PolicyRpc.getPolicy.pattern) => ({
        value: JSON.stringify({ orgId: `org-${run}` }),
        timestamp: String(timestamp),
        headers: {
          'x-pattern': pattern,
          kafka_correlationId: correlationId,
          kafka_replyTopic: POLICY_REPLIES,
          kafka_replyPartition: '0',
        },
      });
      await producer.send({
        topic: POLICY_REQUESTS,
        messages: [
          request(`stale-${run}`, Date.now() - 60_000),
          request(`foreign-${run}`, Date.now(), MfaRpc.getStatus.pattern),
          request(`fresh-${run}`, Date.now()),
        ],
      });
      await expect.poll(() => replies, { timeout: 15_000 }).toContain(`fresh-${run}`);
      expect(replies).not.toContain(`stale-${run}`);
      expect(replies).not.toContain(`foreign-${run}`);
    } finally {
      await Promise.all([reader.disconnect(), producer.disconnect()]);
    }
  });

  it("replies on its request topic's reply topic only, whatever topic the request names", async () => {
    // The service's principal may write its integration topic: a request must not make it publish there.
    const events = INTEGRATION_TOPICS.policy;
    const seen: string[] = [];
    const watcher = kafkaClientFor(kafka.subscriber, `test-reply-topic-${run}`).consumer({
      groupId: `subscriber-test-reply-topic-${run}`,
      maxWaitTimeInMs: 250,
    });
    const producer = kafkaClientFor(kafka.gateway, `test-reply-topic-${run}`).producer();
    await Promise.all([watcher.connect(), producer.connect()]);
    try {
      const joined = new Promise<void>((resolve) => watcher.on(watcher.events.GROUP_JOIN, () => resolve()));
      await watcher.subscribe({ topic: events, fromBeginning: false });
      await watcher.run({
        eachMessage: async ({ message }) => void seen.push(String(message.headers?.kafka_correlationId ?? '')),
      });
      await joined;
      await producer.send({
        topic: POLICY_REQUESTS,
        messages: [
          {
            value: JSON.stringify({ orgId: `org-${run}` }),
            headers: {
              'x-pattern': PolicyRpc.getPolicy.pattern,
              kafka_correlationId: `forged-${run}`,
              kafka_replyTopic: events,
              kafka_replyPartition: '0',
            },
          },
        ],
      });
      // A request sent after it is answered: the forged one has been handled by then.
      expect(await caller.services.call(PolicyRpc.getPolicy, { orgId: `org-${run}` })).toMatchObject({
        orgId: `org-${run}`,
      });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(seen).not.toContain(`forged-${run}`);
    } finally {
      await Promise.all([watcher.disconnect(), producer.disconnect()]);
    }
  });

  it('carries the correlation id in the x-correlation-id header of the request and its reply, and onto the events', async () => {
    const correlationId = `it-login-${run}`;
    const orgId = `org-correlated-${run}`;
    const headers: Record<string, string[]> = {};
    const topics = [POLICY_REQUESTS, POLICY_REPLIES];
    // As the broker's admin (the test set-up's super user): no service principal reads both sides.
    const watcher = kafkaClientFor(kafka.admin, `test-correlation-${run}`).consumer({
      groupId: `test-correlation-${run}`,
      maxWaitTimeInMs: 250,
    });
    await watcher.connect();
    try {
      await watcher.subscribe({ topics, fromBeginning: true });
      await watcher.run({
        eachMessage: async ({ topic, message }) => {
          const header = message.headers?.['x-correlation-id'];
          if (header !== undefined) (headers[topic] ??= []).push(String(header));
        },
      });
      await withRequestContext({ correlationId }, () =>
        caller.services.call(PolicyRpc.setIpAllowlist, { orgId, cidrs: ['10.0.0.0/8'], setBy: 'admin-1' }),
      );
      await expect
        .poll(() => topics.map((topic) => headers[topic]?.includes(correlationId) ?? false), { timeout: 20_000 })
        .toEqual([true, true]);
    } finally {
      await watcher.disconnect();
    }
    const store = new SqliteEventStore(join(dataDir, 'policy.sqlite'), { readonly: true });
    try {
      const [event] = await store.read(`org-policy-${orgId}`);
      expect(event?.metadata).toMatchObject({ correlationId, causationId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    } finally {
      await store.close();
    }
  });

  it('answers service_unavailable when no service consumes the pattern', async () => {
    const quick = await connectCaller(kafka.gateway, `gateway-test-messaging-quick-${run}`, 1_500);
    try {
      // No mfa service runs in this spec: the request waits on its topic, the caller times out.
      await expect(quick.services.call(MfaRpc.getStatus, { userId: 'nobody' })).rejects.toMatchObject({
        code: 'service_unavailable',
      });
    } finally {
      await quick.close();
    }
  });
});

describe('the checkpointed relay to auth.mfa.events', () => {
  const userId = `relay-${run}`;
  let dataDir: string;
  let store: SqliteEventStore;
  let consumer: Consumer;
  const received: IntegrationEvent[] = [];

  const toIntegrationEvent = (event: RecordedEvent): IntegrationEvent | null =>
    event.stream === `mfa-${userId}`
      ? {
          eventId: event.id,
          type: event.type,
          schemaVersion: 1,
          aggregateId: userId,
          userId,
          occurredAt: event.recordedAt.toISOString(),
          source: { stream: event.stream, revision: event.revision, position: event.position.toString() },
          data: event.data,
        }
      : null;

  const relay = (lease?: KafkaRelayLease) =>
    new IntegrationEventRelay(store, new KafkaIntegrationEventPublisher('test-relay', kafkaConnectionFor(kafka.mfa)), {
      name: `test-${run}`,
      topic: INTEGRATION_TOPICS.mfa,
      toIntegrationEvent,
      checkpointIntervalMs: 100,
      streamPrefixes: ['mfa-'],
      ...(lease ? { lease } : {}),
    });

  const append = (from: number, count: number) =>
    store.append(
      `mfa-${userId}`,
      Array.from({ length: count }, (_, index) => ({
        id: randomUUID(),
        type: 'MfaChallengeFailed',
        data: { n: from + index },
      })),
      from === 0 ? 'no_stream' : from - 1,
    );

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'relay-'));
    store = new SqliteEventStore(join(dataDir, 'mfa.sqlite'));
    consumer = kafkaClientFor(kafka.subscriber, 'test-relay-reader').consumer({
      groupId: `subscriber-test-relay-reader-${run}`,
      maxWaitTimeInMs: 250,
    });
    await consumer.connect();
    await consumer.subscribe({ topic: INTEGRATION_TOPICS.mfa, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const event = JSON.parse(message.value?.toString() ?? '{}') as IntegrationEvent;
        if (event.userId === userId) {
          expect(message.key?.toString()).toBe(userId);
          received.push(event);
        }
      },
    });
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await store?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('publishes every event once, in order, and resumes from its checkpoint after a restart', async () => {
    await append(0, 5);
    const first = relay();
    await first.start();
    await expect.poll(() => received.length, { timeout: 20_000 }).toBe(5);
    await first.stop();

    await append(5, 3);
    const second = relay();
    await second.start();
    await expect.poll(() => received.length, { timeout: 20_000 }).toBe(8);
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // room for duplicates to show up
    await second.stop();

    expect(received.map((event) => event.data.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(new Set(received.map((event) => event.eventId)).size).toBe(8);
    expect(received.map((event) => event.source.revision)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('publishes from one of two instances holding the Kafka lease, the other taking over when it stops: each event once', async () => {
    await ensureTopics(kafkaConnectionFor(kafka.mfa), 'test-relay-lease-setup', serviceTopics('mfa'));
    const relays = [
      relay(new KafkaRelayLease('mfa', kafkaConnectionFor(kafka.mfa), 6_000)),
      relay(new KafkaRelayLease('mfa', kafkaConnectionFor(kafka.mfa), 6_000)),
    ];
    await Promise.all(relays.map((instance) => instance.start()));
    const states = async () =>
      (await Promise.all(relays.map((instance) => instance.health()))).map((h) => h.state).sort();
    await expect.poll(states, { timeout: 30_000, interval: 200 }).toEqual(['running', 'standby']);

    await append(8, 4);
    await expect.poll(() => received.length, { timeout: 20_000 }).toBe(12);
    const healths = await Promise.all(relays.map((instance) => instance.health()));
    const leader = relays[healths.findIndex((health) => health.state === 'running')]!;
    const standby = relays.find((instance) => instance !== leader)!;
    // The publisher's lag, from the checkpoint it saves every 100 ms.
    await expect.poll(async () => (await standby.health()).lag, { timeout: 5_000 }).toBe(0);

    await leader.stop(); // leaves the group: the lease moves at once, not after the session timeout
    await expect.poll(async () => (await standby.health()).state, { timeout: 30_000, interval: 200 }).toBe('running');
    await append(12, 3);
    await expect.poll(() => received.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(15);
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // room for duplicates to show up
    await standby.stop();

    expect(received.map((event) => event.data.n)).toEqual(Array.from({ length: 15 }, (_, n) => n));
    expect(new Set(received.map((event) => event.eventId)).size).toBe(15);
  }, 90_000);
});
