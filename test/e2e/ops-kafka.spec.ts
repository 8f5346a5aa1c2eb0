/**
 * The ops CLI's Kafka side, as an operator runs it (the built bin, a child
 * process) against the system in distributed mode on the secured broker,
 * under a topic prefix of this run's own (the installation owns its topics,
 * so nothing another spec published is on them): `follow` sees a login,
 * `relay status` sees the relays caught up, `verify` finds the stores and the
 * topics alike; then on a copy of the topics with one event left out, a
 * forged one and an altered one added (with the mfa principal's own
 * credentials: nothing else may write there), `verify` names each; on a
 * copy whose partition lost its oldest message (as retention deletes it),
 * `verify` counts that event no longer retained, not missing, and still
 * names one left out of another partition; and `relay replay` has the mfa
 * relay publish a range again.
 */
import { spawn } from 'node:child_process';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { INTEGRATION_TOPICS, SERVICE_NAMES, type IntegrationEvent } from '#contracts';
import { ensureTopics, TOPIC_PARTITIONS } from '#messaging';
import {
  REPO_ROOT,
  apiClient,
  currentStep,
  kafkaClientFor,
  kafkaConnectionFor,
  signInAdminWithMfa,
  startSubscriber,
  startSystem,
  totpAt,
  waitForStepAfter,
  type AdminSession,
  type ApiClient,
  type RunningSystem,
  type Subscriber,
} from '#testing';
import { readTopicsToEnd } from '../../apps/ops/src/kafka/topic-reader.js';

const kafka = inject('kafkaClients');
const secured = inject('kafkaSecured');
const run = randomUUID().slice(0, 8);
const PREFIX = `opsk${run}.`;
/** The copy of the topics verify is shown after the tampering. */
const COPY = `opsc${run}.`;
/** The copy whose partition's oldest message is deleted, as retention would. */
const EXPIRED = `opse${run}.`;
const ADMIN = { email: 'ops-kafka-admin@example.org', password: 'ops kafka admin long password' };
const BIN = join(REPO_ROOT, 'dist/apps/ops/src/main.js');

interface Run {
  status: number | null;
  out: string;
  err: string;
}

/** Runs the bin; `onErr` sees stderr as it comes (follow says there when it listens). */
function ops(env: Record<string, string>, argv: string[], onErr?: (text: string) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], { env: { PATH: process.env.PATH ?? '', ...env } });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      onErr?.(err);
    });
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, out, err });
    });
  });
}

async function installationAcls(action: 'grant' | 'revoke', prefix: string, dir: string): Promise<void> {
  const adminEnv = join(dir, `admin-${prefix}env`); // names the password file, holds no password
  writeFileSync(
    adminEnv,
    Object.entries(kafka.admin)
      .map(([name, value]) => `${name}=${value}\n`)
      .join(''),
  );
  await promisify(execFile)(process.execPath, [join(REPO_ROOT, 'scripts/kafka/acls.mjs'), action, adminEnv, prefix]);
}

async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe('the ops CLI on Kafka (distributed system, secured broker)', { timeout: 120_000 }, () => {
  let system: RunningSystem;
  let api: ApiClient;
  let admin: AdminSession;
  let adminId = '';
  let storeEnv: Record<string, string>;
  let subscriberEnv: Record<string, string>;

  beforeAll(async () => {
    const dir = (await import('node:fs')).mkdtempSync(join((await import('node:os')).tmpdir(), 'ops-kafka-'));
    if (secured) {
      await installationAcls('grant', PREFIX, dir);
      await installationAcls('grant', COPY, dir);
      await installationAcls('grant', EXPIRED, dir);
    }
    system = await startSystem({
      mode: 'distributed',
      kafka,
      env: {
        KAFKA_TOPIC_PREFIX: PREFIX,
        BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
        BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      },
    });
    api = apiClient(system.baseUrl);
    admin = await signInAdminWithMfa(api, ADMIN);
    adminId = String((await api.get<{ id: string }>('/v1/me', { token: admin.accessToken })).body.id);
    storeEnv = { DATA_DIR: system.dataDir };
    subscriberEnv = { ...storeEnv, ...kafka.subscriber, KAFKA_TOPIC_PREFIX: PREFIX };
  }, 180_000);

  afterAll(async () => {
    await system?.stop({ removeData: true });
    const client = kafkaClientFor(kafka.admin, `ops-kafka-cleanup-${run}`).admin();
    await client.connect();
    try {
      const topics = (await client.listTopics()).filter((topic) =>
        [PREFIX, COPY, EXPIRED].some((prefix) => topic.startsWith(prefix)),
      );
      if (topics.length > 0) await client.deleteTopics({ topics });
    } finally {
      await client.disconnect();
    }
    if (secured) {
      const dir = system?.dataDir ?? '/tmp';
      await installationAcls('revoke', PREFIX, dir).catch(() => undefined);
      await installationAcls('revoke', COPY, dir).catch(() => undefined);
      await installationAcls('revoke', EXPIRED, dir).catch(() => undefined);
    }
  });

  it("follow --limit 1 sees the admin's next login code accepted, with the admin's id", async () => {
    let listening!: () => void;
    const ready = new Promise<void>((resolve) => (listening = resolve));
    const following = ops(
      subscriberEnv,
      ['follow', '--user', ADMIN.email, '--type', 'MfaChallengeVerified', '--limit', '1', '--for', '90'],
      (err) => err.includes('ops: following') && listening(),
    );
    await Promise.race([ready, following.then((result) => Promise.reject(new Error(result.err)))]);

    await waitForStepAfter(admin.step);
    const challenge = await api.post('/v1/auth/login', ADMIN);
    const signedIn = await api.post('/v1/auth/login/mfa', {
      mfaToken: challenge.body.mfaToken,
      code: totpAt(admin.secret, currentStep()),
    });
    expect(signedIn.body.status).toBe('authenticated');

    const result = await following;
    expect(result.status).toBe(0);
    const lines = result.out.trim().split('\n');
    expect(lines[0]).toMatch(/^time\s+service\s+type\s+user\s+correlation$/);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(new RegExp(`^\\S+Z\\s+mfa\\s+MfaChallengeVerified\\s+${adminId}\\s`)),
    ]);
    expect(result.err).not.toContain('warning');
    for (const secret of [admin.secret, ADMIN.password]) expect(result.out + result.err).not.toContain(secret);
  });

  it('relay status shows every relay caught up (lag 0), and who holds each lease as far as the principal may see', async () => {
    type Status = {
      relays: Array<{ service: string; lag: number; checkpoint: unknown; lease: Record<string, unknown> }>;
    };
    const asOps = kafka.ops ? { ...storeEnv, ...kafka.ops, KAFKA_TOPIC_PREFIX: PREFIX } : subscriberEnv;
    let last = '';
    const status = await until(async () => {
      const result = await ops(asOps, ['relay', 'status', '--json']);
      expect(result.status).toBe(0);
      last = result.out + result.err;
      const parsed = JSON.parse(result.out) as Status;
      return parsed.relays.every((relay) => relay.lag === 0) ? parsed : undefined;
    }, 'every relay at lag 0').catch((error: Error) => {
      throw new Error(`${error.message}; last answer:\n${last}`);
    });
    // Policy may have no event at all (no policy set): no checkpoint then, and nothing to publish.
    for (const relay of status.relays.filter(({ service }) => service !== 'policy')) {
      expect(relay.checkpoint).not.toBeNull();
    }
    expect(status.relays.map((relay) => relay.service)).toEqual(['identity', 'mfa', 'policy']);
    if (secured && kafka.ops) {
      for (const relay of status.relays) {
        expect(relay.lease).toMatchObject({ known: true, holder: { clientId: `${relay.service}-relay-lease` } });
      }
    }
    // The subscriber may read the topics, not describe the relays' groups: it says it does not know.
    const asSubscriber = await ops(subscriberEnv, ['relay', 'status']);
    expect(asSubscriber.status).toBe(0);
    expect(asSubscriber.out).toMatch(/^mfa\s+\d+\s+\S+Z\s+\d+\s+0\s+0\s+/m);
    if (secured) expect(asSubscriber.out).toContain('unknown: not authorized');
  });

  it('verify finds the stores and the topics alike after the journey', async () => {
    const result = await ops(subscriberEnv, ['verify']);
    // stderr is a pipe: the topics' progress as plain lines (progress-bar.ts), nothing else.
    expect(result.err).toMatch(/^(verify topics: \d+\/\d+ messages\n)+\n?$/);
    expect(result.err).toMatch(/verify topics: (\d+)\/\1 messages\n\n?$/);
    expect(result.out).toContain('OK: no problem found');
    const found = /(\d+) of (\d+) published events found/.exec(result.out);
    expect(found).not.toBeNull();
    expect(Number(found![1])).toBeGreaterThan(5);
    expect(result.out).toMatch(/, 0 not yet published/);
    expect(result.status).toBe(0);
  });

  it('verify names an event left off the topic, a forged message and an altered one, and exits 1', async () => {
    // The real topics, read whole as the subscriber.
    const messages: Array<{ service: (typeof SERVICE_NAMES)[number]; key: string | null; event: IntegrationEvent }> =
      [];
    await readTopicsToEnd(
      kafkaClientFor(kafka.subscriber, `ops-kafka-copy-${run}`),
      `${PREFIX}subscriber-copy-${run}`,
      SERVICE_NAMES.map((service) => `${PREFIX}${INTEGRATION_TOPICS[service]}`),
      (place, message) => {
        const service = SERVICE_NAMES.find((name) => place.topic === `${PREFIX}${INTEGRATION_TOPICS[name]}`)!;
        messages.push({ service, key: message.key?.toString() ?? null, event: JSON.parse(message.value!.toString()) });
      },
    );
    const mfaMessages = messages.filter((message) => message.service === 'mfa');
    const dropped = mfaMessages.find((message) => message.event.type === 'MfaEnrollmentStarted')!;
    const altered = mfaMessages.find((message) => message.event.type === 'MfaChallengeVerified')!;
    expect(dropped && altered).toBeTruthy();
    const forgedId = randomUUID();

    await ensureTopics(
      kafkaConnectionFor({ ...kafka.admin, KAFKA_TOPIC_PREFIX: COPY }),
      `ops-kafka-copy-${run}`,
      SERVICE_NAMES.map((service) => ({ topic: INTEGRATION_TOPICS[service], numPartitions: TOPIC_PARTITIONS })),
    );
    for (const service of SERVICE_NAMES) {
      // Each topic written by its own service's principal: the only one the ACLs let write it.
      const producer = kafkaClientFor(kafka[service], `ops-kafka-${service}-${run}`).producer();
      await producer.connect();
      try {
        const copied = messages.filter((message) => message.service === service && message !== dropped);
        const extra =
          service === 'mfa'
            ? [
                { ...altered.event, eventId: forgedId },
                { ...altered.event, data: { ...altered.event.data, step: Number(altered.event.data['step']) - 5 } },
              ].map((event) => ({ key: altered.key, event }))
            : [];
        await producer.send({
          topic: `${COPY}${INTEGRATION_TOPICS[service]}`,
          acks: -1,
          messages: [...copied, ...extra].map(({ key, event }) => ({ key, value: JSON.stringify(event) })),
        });
      } finally {
        await producer.disconnect();
      }
    }

    const result = await ops({ ...subscriberEnv, KAFKA_TOPIC_PREFIX: COPY }, ['verify']);
    expect(result.status).toBe(1);
    expect(result.out).toContain('FAILED: 3 problems');
    const at = (message: { event: IntegrationEvent }) =>
      `mfa ${message.event.source.stream} revision ${message.event.source.revision} [topic]: `;
    expect(result.out).toContain(
      `${at(dropped)}MfaEnrollmentStarted ${dropped.event.eventId} (position ${dropped.event.source.position}) is not on ${COPY}auth.mfa.events`,
    );
    expect(result.out).toMatch(
      new RegExp(
        `${at(altered).replace(/[[\]]/g, '\\$&')}the message at ${COPY.replace('.', '\\.')}auth\\.mfa\\.events partition \\d+ offset \\d+ \\(event ${forgedId}, MfaChallengeVerified\\) matches no event of the mfa store`,
      ),
    );
    expect(result.out).toContain(
      `${at(altered)}MfaChallengeVerified ${altered.event.eventId} at ${COPY}auth.mfa.events`,
    );
    expect(result.out).toMatch(/differs from the stored event's public form in data\.step\n/);
  });

  it('verify counts an event whose message retention deleted as no longer retained, and still names one missing from another partition', async () => {
    const messages: Array<{ topic: string; partition: number; key: Buffer | null; value: Buffer; timestamp: string }> =
      [];
    const topics = SERVICE_NAMES.map((service) => INTEGRATION_TOPICS[service]);
    /** The run's topics whole, once every relay has published what its store holds: the copy stands for the stores. */
    const readAll = async (attempt: number) => {
      await until(async () => {
        const status = JSON.parse((await ops(storeEnv, ['relay', 'status', '--json'])).out) as {
          relays: Array<{ lag: number }>;
        };
        return status.relays.every((relay) => relay.lag === 0) ? true : undefined;
      }, 'every relay at lag 0');
      messages.length = 0;
      await readTopicsToEnd(
        kafkaClientFor(kafka.subscriber, `ops-kafka-expired-${run}-${attempt}`),
        `${PREFIX}subscriber-expired-${run}-${attempt}`,
        topics.map((topic) => `${PREFIX}${topic}`),
        (place, message) => {
          messages.push({
            topic: place.topic.slice(PREFIX.length),
            partition: place.partition,
            key: message.key,
            value: message.value!,
            timestamp: message.timestamp,
          });
        },
      );
    };
    // On a topic, a partition of two messages or more (its first one to delete) and a message on another (to leave
    // out), neither of the two published twice: verify would find the event by its other copy (at-least-once).
    const eventIdOf = (message: (typeof messages)[number]) =>
      (JSON.parse(message.value.toString()) as IntegrationEvent).eventId;
    const once = (message: (typeof messages)[number]) =>
      messages.filter((m) => m.topic === message.topic && eventIdOf(m) === eventIdOf(message)).length === 1;
    const choiceOn = (name: string) => {
      const onTopic = messages.filter((m) => m.topic === name);
      const truncated = [...new Set(onTopic.map((m) => m.partition))].find((p) => {
        const onPartition = onTopic.filter((m) => m.partition === p);
        return onPartition.length > 1 && once(onPartition[0]!);
      });
      const left = onTopic.filter((m) => m.partition !== truncated && once(m)).at(-1);
      return truncated === undefined || left === undefined ? undefined : { truncated, left };
    };
    // A message's partition is its key's hash (the aggregate's id): the journey's few keys may leave no topic that fits
    // (all on one partition, or one message on each). Users are added, each a key of its own on the identity topic,
    // until the topics as read have one: a few do, each landing beside a message or apart at 1 in 4 or better.
    await readAll(0);
    const deadline = Date.now() + 60_000;
    for (let added = 1; !topics.some(choiceOn) && added <= 12 && Date.now() < deadline; added += 1) {
      const user = { email: `ops-kafka-extra-${added}@example.org`, password: `ops kafka extra ${added} password` };
      const created = await api.post('/v1/admin/users', { ...user, roles: [] }, { token: admin.accessToken });
      expect(created.status).toBe(201);
      await readAll(added);
    }
    const topic = topics.find(choiceOn);
    expect(topic).toBeDefined();
    const { truncated, left } = choiceOn(topic!)!;
    const deleted = messages.find((m) => m.topic === topic && m.partition === truncated)!;
    const leftEvent = JSON.parse(left.value.toString()) as IntegrationEvent;
    const service = SERVICE_NAMES.find((name) => INTEGRATION_TOPICS[name] === topic)!;

    await ensureTopics(
      kafkaConnectionFor({ ...kafka.admin, KAFKA_TOPIC_PREFIX: EXPIRED }),
      `ops-kafka-expired-${run}`,
      topics.map((name) => ({ topic: name, numPartitions: TOPIC_PARTITIONS })),
    );
    for (const owner of SERVICE_NAMES) {
      const producer = kafkaClientFor(kafka[owner], `ops-kafka-expired-${owner}-${run}`).producer();
      await producer.connect();
      try {
        // Same partitions, keys and timestamps as the relays published them; one message left out.
        const copied = messages.filter((m) => m.topic === INTEGRATION_TOPICS[owner] && m !== left);
        if (copied.length > 0) {
          await producer.send({
            topic: `${EXPIRED}${INTEGRATION_TOPICS[owner]}`,
            acks: -1,
            messages: copied.map(({ partition, key, value, timestamp }) => ({ partition, key, value, timestamp })),
          });
        }
      } finally {
        await producer.disconnect();
      }
    }
    // What retention does: the partition's log starts later (its low watermark above 0).
    const adminClient = kafkaClientFor(kafka.admin, `ops-kafka-expired-admin-${run}`).admin();
    await adminClient.connect();
    try {
      await adminClient.fetchTopicOffsets(`${EXPIRED}${topic}`); // loads the topic's metadata first
      await adminClient.deleteTopicRecords({
        topic: `${EXPIRED}${topic}`,
        partitions: [{ partition: truncated, offset: '1' }],
      });
      const offsets = await adminClient.fetchTopicOffsets(`${EXPIRED}${topic}`);
      expect(offsets.find((offset) => offset.partition === truncated)?.low).toBe('1');
    } finally {
      await adminClient.disconnect();
    }

    const result = await ops({ ...subscriberEnv, KAFKA_TOPIC_PREFIX: EXPIRED }, ['verify']);
    expect(result.out).toContain(', 1 no longer retained (recorded before the oldest message their partition keeps');
    expect(result.out).toContain('FAILED: 1 problem\n');
    expect(result.out).toContain(
      `${service} ${leftEvent.source.stream} revision ${leftEvent.source.revision} [topic]: ${leftEvent.type} ${leftEvent.eventId} ` +
        `(position ${leftEvent.source.position}) is not on ${EXPIRED}${topic}`,
    );
    expect(result.out).not.toContain(JSON.parse(deleted.value.toString()).eventId);
    expect(result.status).toBe(1);
  });

  it('relay replay has the mfa relay publish a range again, which a consumer sees with the same event ids', async () => {
    const seen = new Map<string, number>();
    const positions: bigint[] = [];
    let subscriber: Subscriber | undefined;
    try {
      subscriber = await startSubscriber(kafka.subscriber, {
        groupId: `${PREFIX}subscriber-replay-${run}`,
        topics: [`${PREFIX}${INTEGRATION_TOPICS.mfa}`],
        onMessage: (message) => {
          const event = JSON.parse(message.value!.toString()) as IntegrationEvent;
          seen.set(event.eventId, (seen.get(event.eventId) ?? 0) + 1);
          positions.push(BigInt(event.source.position));
        },
      });
      await until(async () => (seen.size >= 4 ? true : undefined), 'the mfa events so far');
      const before = new Map(seen);
      const from = positions.reduce((min, position) => (position < min ? position : min));

      const result = await ops(storeEnv, ['relay', 'replay', '--service', 'mfa', '--from', from.toString()]);
      expect(result.err).toBe('');
      expect(result.status).toBe(0);
      const published = /the relay published (\d+) event\(s\) again/.exec(result.out);
      expect(published).not.toBeNull();
      expect(Number(published![1])).toBeGreaterThanOrEqual(before.size);

      await until(
        async () => ([...before].every(([id, count]) => (seen.get(id) ?? 0) > count) ? true : undefined),
        'every mfa event once more',
      );
      // The request and its outcome are bookkeeping of the mfa store, chained like every stream: verify stays clean.
      const verify = await ops(subscriberEnv, ['verify']);
      expect(verify.out).toContain('OK: no problem found');
      expect(verify.out).toMatch(/[1-9]\d* duplicates \(at-least-once\)/);
    } finally {
      await subscriber?.close();
    }
  });
});
