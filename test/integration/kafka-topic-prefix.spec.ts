/**
 * KAFKA_TOPIC_PREFIX: two installations of the policy service, each with its
 * caller and its subscriber, on one broker, never see each other's requests,
 * replies or events. On the secured broker each prefix gets the installation
 * ACLs of scripts/kafka/acls.mjs (the same the broker's start grants to the
 * empty prefix), and the principals connect as in production.
 */
import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { INestMicroservice } from '@nestjs/common';
import type { Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { INTEGRATION_TOPICS, PolicyRpc, type IntegrationEvent } from '#contracts';
import { loadConfig } from '#config';
import { startService } from '#messaging';
import { connectCaller, kafkaClientFor, REPO_ROOT, waitUntilAnswering, type Caller } from '#testing';
import { PolicyModule } from '../../apps/policy/src/policy.module.js';

const kafka = inject('kafkaClients');
const secured = inject('kafkaSecured');
const run = randomUUID().slice(0, 8);
const orgId = `org-prefix-${run}`;

/** The ACLs of one installation, granted or revoked as admin by the script the broker's start uses. */
async function installationAcls(action: 'grant' | 'revoke', prefix: string, dir: string): Promise<void> {
  const adminEnv = join(dir, 'admin.env'); // names the password file, holds no password
  writeFileSync(
    adminEnv,
    Object.entries(kafka.admin)
      .map(([name, value]) => `${name}=${value}\n`)
      .join(''),
  );
  await promisify(execFile)(process.execPath, [join(REPO_ROOT, 'scripts/kafka/acls.mjs'), action, adminEnv, prefix]);
}

interface Installation {
  readonly prefix: string;
  readonly dataDir: string;
  readonly received: IntegrationEvent[];
  policy?: INestMicroservice;
  caller?: Caller;
  events?: Consumer;
}

/** Fills `installation` step by step, so that what was started before a failure is still cleaned up. */
async function install(installation: Installation): Promise<void> {
  const { prefix, dataDir, received } = installation;
  if (secured) await installationAcls('grant', prefix, dataDir);
  const withPrefix = { KAFKA_TOPIC_PREFIX: prefix };
  const config = loadConfig('policy', { ...kafka.policy, ...withPrefix, DATA_DIR: dataDir });
  installation.policy = await startService({
    service: 'policy',
    module: PolicyModule.register(config),
    config,
    logger: false,
  });
  const caller = await connectCaller({ ...kafka.gateway, ...withPrefix }, `gateway-it-prefix-${run}`, 10_000);
  installation.caller = caller;
  // The subscriber's groups are `<prefix>subscriber-*` like every group of the installation.
  const events = kafkaClientFor({ ...kafka.subscriber, ...withPrefix }, `it-prefix-${run}`).consumer({
    groupId: `${prefix}subscriber-it-prefix-${run}`,
    maxWaitTimeInMs: 250,
  });
  installation.events = events;
  await events.connect();
  await events.subscribe({ topic: `${prefix}${INTEGRATION_TOPICS.policy}`, fromBeginning: true });
  await events.run({
    eachMessage: async ({ message }) => void received.push(JSON.parse(message.value?.toString() ?? '{}')),
  });
  await waitUntilAnswering(() => caller.services.call(PolicyRpc.checkHealth, {}));
}

async function uninstall({ prefix, dataDir, policy, caller, events }: Installation): Promise<void> {
  try {
    await events?.disconnect();
    await caller?.close();
    await policy?.close();
    // Nothing of the run stays on a shared broker: its topics, groups and ACLs go.
    const admin = kafkaClientFor(kafka.admin, `it-prefix-cleanup-${run}`).admin();
    await admin.connect();
    try {
      const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
      if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
      const { groups } = await admin.listGroups();
      const ours = groups.map((group) => group.groupId).filter((groupId) => groupId.startsWith(prefix));
      if (ours.length > 0) await admin.deleteGroups(ours);
    } finally {
      await admin.disconnect();
    }
  } finally {
    if (secured) await installationAcls('revoke', prefix, dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const installation = (name: string): Installation => ({
  prefix: `it-${run}-${name}.`,
  dataDir: mkdtempSync(join(tmpdir(), `prefix-${name}-`)),
  received: [],
});

describe(`two installations on one broker (KAFKA_TOPIC_PREFIX, ${secured ? 'secured' : 'plaintext'})`, () => {
  const a = installation('a');
  const b = installation('b');

  beforeAll(async () => {
    await install(a);
    await install(b);
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled([uninstall(a), uninstall(b)]).then((results) => {
      const failed = results.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
    });
  }, 90_000);

  it("answers each caller from its own installation's service and store", async () => {
    const [first, second] = [a.caller!.services, b.caller!.services];
    await first.call(PolicyRpc.setIpAllowlist, { orgId, cidrs: ['10.0.0.0/8'], setBy: 'admin-a' });
    await second.call(PolicyRpc.setIpAllowlist, { orgId, cidrs: ['192.168.0.0/16'], setBy: 'admin-b' });

    expect(await first.call(PolicyRpc.getPolicy, { orgId })).toMatchObject({ ipAllowlist: ['10.0.0.0/8'] });
    expect(await second.call(PolicyRpc.getPolicy, { orgId })).toMatchObject({ ipAllowlist: ['192.168.0.0/16'] });
  });

  it("publishes each installation's events on its own topic only", async () => {
    // At least once: the same event may arrive twice, told apart by its id.
    const ofOrg = (received: IntegrationEvent[]) => [
      ...new Map(received.filter((event) => event.orgId === orgId).map((event) => [event.eventId, event])).values(),
    ];
    await expect.poll(() => ofOrg(a.received).length, { timeout: 20_000 }).toBeGreaterThan(0);
    await expect.poll(() => ofOrg(b.received).length, { timeout: 20_000 }).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // room for a stray event to arrive

    expect(ofOrg(a.received).map((event) => event.data['cidrs'])).toEqual([['10.0.0.0/8']]);
    expect(ofOrg(b.received).map((event) => event.data['cidrs'])).toEqual([['192.168.0.0/16']]);
  });
});
