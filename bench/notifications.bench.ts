/**
 * The notifications service (dist/, its own process, its own principal) turning
 * integration events into mail delivered to a local SMTP sink (`smtp-server`):
 * N users registered and N MfaActivated events published first, on topics of a
 * prefix of this run alone, then the service started; the figure is mails
 * delivered per second from the first mail to the last (its start excluded),
 * each mail one event read, its user's address looked up, the claim and the
 * send recorded in its store, and an SMTP exchange.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { INTEGRATION_TOPICS, type IntegrationEvent } from '#contracts';
import { ensureTopics, TOPIC_PARTITIONS } from '#messaging';
import { acquireKafkaBroker, kafkaClientFor, kafkaConnectionFor, REPO_ROOT, spawnApp, startSmtpSink } from '#testing';

const TOTAL = Number(process.argv[2] ?? 500);
const TIMEOUT_MS = 120_000;

const broker = await acquireKafkaBroker();
const run = randomUUID().slice(0, 8);
const prefix = `bench-notif-${run}.`;
const dataDir = mkdtempSync(join(tmpdir(), 'notifications-bench-'));
const adminEnv = join(dataDir, 'admin.env'); // names the password file, holds no password
const acls = async (action: 'grant' | 'revoke') => {
  if (!broker.secured) return;
  writeFileSync(
    adminEnv,
    Object.entries(broker.clients.admin)
      .map(([name, value]) => `${name}=${value}\n`)
      .join(''),
  );
  await promisify(execFile)(process.execPath, [join(REPO_ROOT, 'scripts/kafka/acls.mjs'), action, adminEnv, prefix]);
};
const sink = await startSmtpSink();
await acls('grant');
await ensureTopics(kafkaConnectionFor({ ...broker.clients.admin, KAFKA_TOPIC_PREFIX: prefix }), 'bench-setup', [
  { topic: INTEGRATION_TOPICS.identity, numPartitions: TOPIC_PARTITIONS },
  { topic: INTEGRATION_TOPICS.mfa, numPartitions: TOPIC_PARTITIONS },
]);

const event = (
  type: string,
  schemaVersion: number,
  userId: string,
  n: number,
  data: Record<string, unknown>,
): IntegrationEvent => ({
  eventId: randomUUID(),
  type,
  schemaVersion,
  aggregateId: userId,
  userId,
  occurredAt: new Date().toISOString(),
  source: { stream: `bench-${userId}`, revision: 0, position: String(n) },
  // The published form: the payload says its version too.
  data: { ...data, schemaVersion },
});
const publish = async (principal: 'identity' | 'mfa', topic: string, events: IntegrationEvent[]) => {
  const producer = kafkaClientFor(broker.clients[principal], `bench-notif-${principal}`).producer();
  await producer.connect();
  for (let from = 0; from < events.length; from += 100) {
    await producer.send({
      topic: `${prefix}${topic}`,
      messages: events.slice(from, from + 100).map((e) => ({ key: e.aggregateId, value: JSON.stringify(e) })),
    });
  }
  await producer.disconnect();
};
const users = Array.from({ length: TOTAL }, (_, n) => `bench-${run}-${n}`);
const now = new Date().toISOString();
await publish(
  'identity',
  INTEGRATION_TOPICS.identity,
  users.map((userId, n) =>
    event('UserRegistered', 2, userId, n, {
      userId,
      orgId: 'bench',
      email: `${userId}@example.com`,
      roles: [],
      passwordChangeRequired: false,
      registeredAt: now,
    }),
  ),
);
await publish(
  'mfa',
  INTEGRATION_TOPICS.mfa,
  users.map((userId, n) =>
    event('MfaActivated', 1, userId, n, { enrollmentId: `e-${userId}`, activatedAt: now, steps: [1, 2] }),
  ),
);

const service = spawnApp('notifications', {
  ...broker.clients.notifications,
  KAFKA_TOPIC_PREFIX: prefix,
  DATA_DIR: dataDir,
  SMTP_URL: sink.url,
});
try {
  const deadline = performance.now() + TIMEOUT_MS;
  while (sink.received.length === 0 && performance.now() < deadline) await sleep(5);
  const first = performance.now();
  while (sink.received.length < TOTAL && performance.now() < deadline) await sleep(5);
  const elapsedMs = performance.now() - first;
  if (sink.received.length < TOTAL) {
    throw new Error(`${sink.received.length} of ${TOTAL} mails in ${TIMEOUT_MS} ms\n${service.logs().slice(-2000)}`);
  }
  console.info(
    `notifications over Kafka (${broker.source} broker ${broker.brokers}, ${broker.secured ? 'TLS + SCRAM' : 'plaintext'}), ` +
      `embedded store, local SMTP sink`,
  );
  console.info(
    `${TOTAL} MfaActivated events → ${sink.received.length} mails delivered in ${(elapsedMs / 1000).toFixed(1)} s: ` +
      `${((TOTAL - 1) / (elapsedMs / 1000)).toFixed(0)} mails/s`,
  );
} finally {
  await service.stop();
  await sink.close();
  await acls('revoke');
  const admin = kafkaClientFor(broker.clients.admin, `bench-notif-cleanup-${run}`).admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
  if (topics.length > 0) await admin.deleteTopics({ topics });
  await admin.disconnect();
  rmSync(dataDir, { recursive: true, force: true });
  await broker.release();
}
