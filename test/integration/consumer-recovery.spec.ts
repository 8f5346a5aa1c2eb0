/**
 * A consumer that kafkajs gives up on (a crash with `restart: false`) is
 * replaced in process: the generic helper on a consumer whose handler fails
 * for good once, and the services' request server and the gateway's reply
 * consumer when their principals lose their ACLs for a moment (an
 * authorization error is not retriable). The broker stays up: the fault
 * project stops it (test/fault).
 */
import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Logger, type INestMicroservice } from '@nestjs/common';
import { KafkaJSNonRetriableError } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PolicyRpc } from '#contracts';
import { loadConfig } from '#config';
import { IntegrationEventSubscription, kafkaConnectionOf, startService } from '#messaging';
import { readinessReports } from '#observability';
import {
  CollectingLogger,
  connectCaller,
  kafkaClientFor,
  REPO_ROOT,
  startSubscriber,
  waitUntilAnswering,
  type Caller,
} from '#testing';
import { PolicyModule } from '../../apps/policy/src/policy.module.js';

const kafka = inject('kafkaClients');
const secured = inject('kafkaSecured');
const run = randomUUID().slice(0, 8);

describe('a consumer kafkajs gave up on', () => {
  const logs = new CollectingLogger();

  beforeAll(() => {
    Logger.overrideLogger(logs);
  });
  afterAll(() => {
    Logger.overrideLogger(new Logger());
  });

  it('is replaced, and gets the message it failed on again', async () => {
    const topic = `test-consumer-recovery-${run}`;
    const admin = kafkaClientFor(kafka.admin, `test-consumer-recovery-${run}`);
    const creator = admin.admin();
    await creator.connect();
    await creator.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await creator.disconnect();
    const producer = admin.producer();
    await producer.connect();

    const received: string[] = [];
    let failed = false;
    // The admin principal (a super user) may use any group: this topic is the test's own.
    const subscriber = await startSubscriber(kafka.admin, {
      groupId: `subscriber-test-consumer-recovery-${run}`,
      topics: [topic],
      onMessage: (message) => {
        const value = message.value?.toString() ?? '';
        if (value === 'm3' && !failed) {
          failed = true;
          throw new KafkaJSNonRetriableError('the handler failed for good');
        }
        received.push(value);
      },
    });
    try {
      for (const value of ['m1', 'm2', 'm3', 'm4']) await producer.send({ topic, messages: [{ value }] });
      await expect.poll(() => received, { timeout: 30_000 }).toEqual(['m1', 'm2', 'm3', 'm4']);
      await producer.send({ topic, messages: [{ value: 'm5' }] });
      await expect.poll(() => received.at(-1), { timeout: 15_000 }).toBe('m5');
      expect(failed).toBe(true);
      expect(subscriber.restarts()).toBe(1);
      expect(logs.text()).toContain(`subscriber-test-consumer-recovery-${run}: consuming again`);
    } finally {
      await subscriber.close();
      await producer.disconnect();
    }
  });
});

describe.skipIf(!secured)('the request server and the reply consumer, after their ACLs were gone for a moment', () => {
  const prefix = `recovery${run}.`;
  const logs = new CollectingLogger();
  let dataDir: string;
  let policy: INestMicroservice | undefined;
  let caller: Caller | undefined;
  /** A subscriber of auth.identity.events, as the gateway's revocation view is: its readiness follows its consumer. */
  let subscription: IntegrationEventSubscription | undefined;
  const subscriptionName = `gateway-it-recovery-events-${run}`;
  const subscriptionStatus = async () => (await readinessReports())[`subscription ${subscriptionName}`]?.status;

  /** The installation's ACLs, as the broker's start grants them (scripts/kafka/acls.mjs). */
  const acls = async (action: 'grant' | 'revoke') => {
    const adminEnv = join(dataDir, 'admin.env'); // names the password file, holds no password
    writeFileSync(
      adminEnv,
      Object.entries(kafka.admin)
        .map(([name, value]) => `${name}=${value}\n`)
        .join(''),
    );
    await promisify(execFile)(process.execPath, [join(REPO_ROOT, 'scripts/kafka/acls.mjs'), action, adminEnv, prefix]);
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'consumer-recovery-'));
    await acls('grant');
    const withPrefix = { KAFKA_TOPIC_PREFIX: prefix };
    const config = loadConfig('policy', { ...kafka.policy, ...withPrefix, DATA_DIR: dataDir });
    policy = await startService({ service: 'policy', module: PolicyModule.register(config), config, logger: logs });
    caller = await connectCaller({ ...kafka.gateway, ...withPrefix }, `gateway-it-recovery-${run}`, 3_000);
    await waitUntilAnswering(() => caller!.services.call(PolicyRpc.checkHealth, {}));
    const creator = kafkaClientFor(kafka.admin, `test-recovery-topics-${run}`).admin();
    await creator.connect();
    await creator.createTopics({ topics: [{ topic: `${prefix}auth.identity.events` }], waitForLeaders: true });
    await creator.disconnect();
    subscription = new IntegrationEventSubscription({
      name: subscriptionName,
      topics: ['auth.identity.events'],
      kafka: kafkaConnectionOf(loadConfig('gateway', { ...kafka.gateway, ...withPrefix, DATA_DIR: dataDir })),
      from: { lookbackMs: 60_000 },
      handle: async () => undefined,
    });
    subscription.start();
    await subscription.caughtUp;
  }, 120_000);

  afterAll(async () => {
    await subscription?.close();
    await caller?.close();
    await policy?.close();
    await acls('revoke').catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers again once the ACLs are back, without a restart by hand', async () => {
    Logger.overrideLogger(logs); // the caller's reply consumer logs through Nest's default logger
    try {
      await expect.poll(subscriptionStatus, { timeout: 30_000 }).toBe('up');
      await acls('revoke');
      // Both consumers crash on an authorization error, which kafkajs does not retry (each at its
      // next heartbeat or fetch): the service's request consumer and the caller's reply consumer.
      const stopped = (label: string) => logs.lines.some((line) => line.includes(`${label}: consumer stopped`));
      await expect
        .poll(() => stopped(`${prefix}policy`) && stopped(`${prefix}gateway-it-recovery-${run}-replies`), {
          timeout: 30_000,
        })
        .toBe(true);
      await expect(caller!.services.call(PolicyRpc.checkHealth, {})).rejects.toMatchObject({
        code: 'service_unavailable',
      });
      // The subscriber's consumer is refused too: not ready while it cannot read.
      await expect.poll(subscriptionStatus, { timeout: 30_000 }).toBe('down');
      await acls('grant');
      const grantedAt = Date.now();
      await waitUntilAnswering(() => caller!.services.call(PolicyRpc.checkHealth, {}), 30_000);
      await expect.poll(subscriptionStatus, { timeout: 30_000 }).toBe('up');
      console.info(`request/reply answered again ${((Date.now() - grantedAt) / 1000).toFixed(1)} s after the grant`);
      // The service's request consumer and the caller's reply consumer, each replaced once.
      expect(logs.text()).toContain(`${prefix}policy: consuming again`);
      expect(logs.text()).toContain(`${prefix}gateway-it-recovery-${run}-replies: consuming again`);
    } finally {
      Logger.overrideLogger(new Logger());
    }
  }, 90_000);
});
