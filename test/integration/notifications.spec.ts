/**
 * The notifications service as its own process (dist/, so `npm run build`
 * first) on the real secured broker, as its own principal, mailing a real SMTP
 * server the test runs (`smtp-server`, each message parsed by `mailparser`).
 * Events are published as the identity and mfa services publish them, by
 * their principals, on topics of an installation prefix of this run alone (a
 * new consumer group starts at the oldest event: other runs' events must not
 * be there).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Consumer, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  INTEGRATION_EVENT_CONTRACTS,
  INTEGRATION_TOPICS,
  NOTIFICATIONS_DEAD_LETTER_TOPIC,
  deadLetterMessage,
  type DeadLetterMessage,
  type IntegrationEvent,
  type IntegrationEventType,
} from '#contracts';
import { ensureTopics, TOPIC_PARTITIONS } from '#messaging';
import {
  kafkaClientFor,
  kafkaConnectionFor,
  REPO_ROOT,
  spawnApp,
  startSmtpSink,
  type AppProcess,
  type SmtpSink,
} from '#testing';

const kafka = inject('kafkaClients');
const secured = inject('kafkaSecured');
const run = randomUUID().slice(0, 8);
const prefix = `it-notif-${run}.`;
const withPrefix = { KAFKA_TOPIC_PREFIX: prefix };
const MAX_ATTEMPTS = 3;

const userId = (name: string) => `it-${run}-${name}`;
const emailOf = (name: string) => `${name}.${run}@example.com`;
let revision = 0;

/** As published: in the version its contract (libs/contracts) has, which `data` also names. */
function event(type: IntegrationEventType, user: string, data: Record<string, unknown>): IntegrationEvent {
  revision += 1;
  const [schemaVersion] = Object.keys(INTEGRATION_EVENT_CONTRACTS[type]).map(Number);
  return {
    eventId: randomUUID(),
    type,
    schemaVersion: schemaVersion!,
    aggregateId: user,
    userId: user,
    occurredAt: new Date().toISOString(),
    source: { stream: `x-${user}`, revision, position: String(revision) },
    data: { schemaVersion, ...data },
  };
}
const registered = (name: string) =>
  event('UserRegistered', userId(name), {
    userId: userId(name),
    orgId: `org-${run}`,
    email: emailOf(name),
    roles: [],
    passwordChangeRequired: false,
    registeredAt: new Date().toISOString(),
  });
const activated = (name: string) =>
  event('MfaActivated', userId(name), {
    enrollmentId: randomUUID(),
    activatedAt: new Date().toISOString(),
    steps: [1, 2],
  });

describe('notifications service over Kafka, mailing a real SMTP server', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'notifications-it-'));
  const processes: AppProcess[] = [];
  let sink: SmtpSink;
  let identityProducer: Producer;
  let mfaProducer: Producer;
  let deadLetterConsumer: Consumer;
  const deadLetters: DeadLetterMessage[] = [];

  const startService = () => {
    const service = spawnApp('notifications', {
      ...kafka.notifications,
      ...withPrefix,
      DATA_DIR: dataDir,
      SMTP_URL: sink.url,
      MAIL_FROM: 'totp-mfa <security@example.test>',
      NOTIFICATIONS_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      NOTIFICATIONS_RETRY_INITIAL_MS: '200',
      NOTIFICATIONS_RETRY_MAX_MS: '400',
      NOTIFICATIONS_SEND_TIMEOUT_MS: '2000',
      NOTIFICATIONS_RECIPIENT_WAIT_MS: '3000',
    });
    processes.push(service);
    return service;
  };
  const publish = async (...events: IntegrationEvent[]) => {
    for (const published of events) {
      const identity = published.type.startsWith('User');
      await (identity ? identityProducer : mfaProducer).send({
        topic: `${prefix}${identity ? INTEGRATION_TOPICS.identity : INTEGRATION_TOPICS.mfa}`,
        messages: [{ key: published.aggregateId, value: JSON.stringify(published) }],
      });
    }
  };
  const mailsAbout = (published: IntegrationEvent) =>
    sink.received.filter((mail) => mail.messageId.startsWith(`<${published.eventId}.`));
  const logs = () =>
    processes
      .map((service) => service.logs())
      .join('\n')
      .slice(-4000);
  const untilMailed = async (events: IntegrationEvent[], timeout = 60_000) => {
    try {
      await expect
        .poll(() => events.filter((published) => mailsAbout(published).length === 0).length, { timeout, interval: 200 })
        .toBe(0);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- notifications output ---\n${logs()}`);
    }
  };

  const rewindGroup = async (groupId: string) => {
    const admin = kafkaClientFor(kafka.admin, `it-notif-rewind-${run}`).admin();
    await admin.connect();
    try {
      await expect
        .poll(async () => (await admin.describeGroups([groupId])).groups[0]?.state, { timeout: 30_000, interval: 500 })
        .toBe('Empty');
      for (const topic of [INTEGRATION_TOPICS.mfa, INTEGRATION_TOPICS.identity]) {
        await admin.resetOffsets({ groupId, topic: `${prefix}${topic}`, earliest: true });
      }
    } finally {
      await admin.disconnect();
    }
  };

  beforeAll(async () => {
    sink = await startSmtpSink();
    if (secured) {
      const adminEnv = join(dataDir, 'admin.env'); // names the password file, holds no password
      writeFileSync(
        adminEnv,
        Object.entries(kafka.admin)
          .map(([name, value]) => `${name}=${value}\n`)
          .join(''),
      );
      await promisify(execFile)(process.execPath, [
        join(REPO_ROOT, 'scripts/kafka/acls.mjs'),
        'grant',
        adminEnv,
        prefix,
      ]);
    }
    // Identity and mfa create their integration topics at start; here nobody runs them.
    await ensureTopics(kafkaConnectionFor({ ...kafka.admin, ...withPrefix }), 'it-notifications-setup', [
      { topic: INTEGRATION_TOPICS.identity, numPartitions: TOPIC_PARTITIONS },
      { topic: INTEGRATION_TOPICS.mfa, numPartitions: TOPIC_PARTITIONS },
      { topic: NOTIFICATIONS_DEAD_LETTER_TOPIC, numPartitions: TOPIC_PARTITIONS },
    ]);
    identityProducer = kafkaClientFor(kafka.identity, `it-notif-identity-${run}`).producer();
    mfaProducer = kafkaClientFor(kafka.mfa, `it-notif-mfa-${run}`).producer();
    await Promise.all([identityProducer.connect(), mfaProducer.connect()]);
    deadLetterConsumer = kafkaClientFor(kafka.subscriber, `it-notif-dlq-${run}`).consumer({
      groupId: `${prefix}subscriber-it-dead-letters`,
      maxWaitTimeInMs: 100,
    });
    await deadLetterConsumer.connect();
    await deadLetterConsumer.subscribe({
      topics: [`${prefix}${NOTIFICATIONS_DEAD_LETTER_TOPIC}`],
      fromBeginning: true,
    });
    await deadLetterConsumer.run({
      eachMessage: async ({ message }) => {
        deadLetters.push(deadLetterMessage.parse(JSON.parse(message.value?.toString() ?? 'null')));
      },
    });
    startService();
  }, 120_000);

  afterAll(async () => {
    await Promise.all(processes.map((service) => service.stop()));
    await deadLetterConsumer?.disconnect();
    await identityProducer?.disconnect();
    await mfaProducer?.disconnect();
    await sink?.close();
    if (secured) {
      const adminEnv = join(dataDir, 'admin.env');
      await promisify(execFile)(process.execPath, [
        join(REPO_ROOT, 'scripts/kafka/acls.mjs'),
        'revoke',
        adminEnv,
        prefix,
      ]);
    }
    const admin = kafkaClientFor(kafka.admin, `it-notif-cleanup-${run}`).admin();
    await admin.connect();
    try {
      const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
      if (topics.length > 0) await admin.deleteTopics({ topics });
    } finally {
      await admin.disconnect();
    }
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('mails each notification once: redelivered events, an mfa event read before its user’s registration', async () => {
    const admin = registered('admin');
    const ann = registered('ann');
    // Ann's activation comes first, on the other topic: it waits for her address.
    const annActivated = activated('ann');
    await publish(annActivated);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const reset = event('MfaDeactivated', userId('ann'), {
      deactivatedAt: new Date().toISOString(),
      by: { kind: 'admin', adminId: userId('admin'), reason: '<script>alert(1)</script> phone lost' },
    });
    const codeUsed = event('RecoveryCodeUsed', userId('ann'), {
      remaining: 1,
      usedAt: new Date().toISOString(),
      challengeId: randomUUID(),
      context: { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 <img src=x>' },
    });
    const replayed = event('MfaChallengeFailed', userId('ann'), {
      purpose: 'login',
      reason: 'replayed',
      failedAt: new Date().toISOString(),
      consecutiveFailures: 1,
      failuresSinceSuccess: 1,
      locksSinceSuccess: 0,
      lockedUntil: null,
      requiresAdminReset: false,
      challengeId: randomUUID(),
      context: { ip: '198.51.100.4', userAgent: 'curl/8' },
    });
    const verified = event('MfaChallengeVerified', userId('ann'), { step: 3, verifiedAt: new Date().toISOString() });
    await publish(admin, ann, reset, reset, codeUsed, replayed, verified, annActivated);

    await untilMailed([annActivated, reset, codeUsed, replayed]);
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // time for a second copy, if any were coming
    for (const mailed of [annActivated, reset, codeUsed, replayed]) expect(mailsAbout(mailed)).toHaveLength(1);
    expect(mailsAbout(verified)).toHaveLength(0);
    expect(sink.received.filter((mail) => mail.to.includes(emailOf('admin')))).toHaveLength(0);

    const [resetMail] = mailsAbout(reset);
    expect(resetMail).toMatchObject({
      to: emailOf('ann'),
      subject: 'totp-mfa: an administrator reset your two-step sign-in',
    });
    expect(resetMail!.text).toContain(`An administrator, ${emailOf('admin')}, reset`);
    expect(resetMail!.text).toContain('<script>alert(1)</script> phone lost');
    expect(resetMail!.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; phone lost');
    expect(resetMail!.html).not.toContain('<script>');
    const [usedMail] = mailsAbout(codeUsed);
    expect(usedMail!.text).toContain('1 unused recovery code remains. Make a new set soon');
    expect(usedMail!.html).toContain('Mozilla/5.0 &lt;img src=x&gt;');
    expect(mailsAbout(replayed)[0]!.subject).toBe('totp-mfa: a code was used twice');
  });

  it('tries again after a refusal (451) and delivers once; parks past the last try on the dead-letter topic', async () => {
    const bob = registered('bob');
    const carol = registered('carol');
    sink.refusals.set(emailOf('bob'), 2);
    sink.refusals.set(emailOf('carol'), 1_000);
    const bobChanged = event('UserPasswordChanged', userId('bob'), {
      userId: userId('bob'),
      changedAt: new Date().toISOString(),
    });
    const carolLocked = event('UserLocked', userId('carol'), {
      userId: userId('carol'),
      lockedAt: new Date().toISOString(),
    });
    const nobody = activated('nobody'); // never registered
    await publish(bob, carol, bobChanged, carolLocked, nobody);

    await untilMailed([bobChanged]);
    expect(sink.refused.filter((address) => address === emailOf('bob'))).toHaveLength(2);
    expect(mailsAbout(bobChanged)).toHaveLength(1);

    await expect
      .poll(() => deadLetters.map((parked) => parked.eventId).sort(), { timeout: 30_000 })
      .toEqual([carolLocked.eventId, nobody.eventId].sort());
    expect(deadLetters.find((parked) => parked.eventId === carolLocked.eventId)).toMatchObject({
      type: 'UserLocked',
      userId: userId('carol'),
      reason: 'smtp_failed',
      attempts: MAX_ATTEMPTS,
      lastError: 'EENVELOPE 451',
      event: { eventId: carolLocked.eventId },
    });
    expect(sink.refused.filter((address) => address === emailOf('carol'))).toHaveLength(MAX_ATTEMPTS);
    expect(deadLetters.find((parked) => parked.eventId === nobody.eventId)).toMatchObject({
      reason: 'unknown_recipient',
      attempts: 0,
    });
    expect(JSON.stringify(deadLetters)).not.toMatch(/try later/);
  });

  it('delivers each mail of a stream once although the service is killed mid-stream and started again', async () => {
    const names = Array.from({ length: 8 }, (_, n) => `dora${n}`);
    await publish(...names.map(registered));
    const events = names.flatMap((name) => [
      activated(name),
      event('RecoveryCodesGenerated', userId(name), {
        count: 10,
        reason: 'regenerated',
        generatedAt: new Date().toISOString(),
      }),
      event('UserPasswordSetByAdmin', userId(name), {
        userId: userId(name),
        setBy: userId('admin'),
        setAt: new Date().toISOString(),
      }),
    ]);
    const before = sink.received.length;
    await publish(...events);
    await expect.poll(() => sink.received.length - before, { timeout: 30_000, interval: 20 }).toBeGreaterThanOrEqual(3);
    await processes.at(-1)!.kill();
    const mailedBeforeTheCrash = sink.received.length - before;
    // The worst crash: none of its offsets committed. Once the group has let the dead member go, back to the
    // oldest event: every event mailed so far comes again, and only the service's store can tell.
    await rewindGroup(`${prefix}notifications`);
    startService();

    await untilMailed(events, 90_000);
    const copies = events.map((published) => mailsAbout(published).length);
    // A crash right after the server accepted a mail and before it was recorded sends it again, with the same
    // Message-ID (the README's one window: a mail client shows one message); the kill can catch at most the mails
    // in flight there, one per partition handled at once. Everything else mailed before the crash came again
    // after the rewind, and was passed over.
    expect(copies.every((count) => count >= 1)).toBe(true);
    expect(copies.reduce((sum, count) => sum + count, 0)).toBeLessThanOrEqual(events.length + TOPIC_PARTITIONS);
    for (const published of events) expect(new Set(mailsAbout(published).map((mail) => mail.messageId)).size).toBe(1);
    expect(mailedBeforeTheCrash).toBeLessThan(events.length);
  }, 150_000);
});
