/**
 * The secured broker's trust model, tried with real kafkajs clients: TLS and a
 * SCRAM login for everyone, and each principal only what scripts/kafka/acls.mjs
 * grants it (README, Running distributed). Needs the repo's secured broker
 * (the default of scripts/kafka-local.sh); on a plaintext one it is reported
 * as skipped.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { INTEGRATION_TOPICS, NOTIFICATIONS_DEAD_LETTER_TOPIC, SERVICE_NAMES } from '#contracts';
import { ensureTopics, replyTopic, requestTopic, serviceTopics, TOPIC_PARTITIONS } from '#messaging';
import { kafkaClientFor, kafkaConnectionFor, type KafkaClientEnv } from '#testing';

const kafka = inject('kafkaClients');
/** identity's consumer group of `auth.identity.events` and `auth.mfa.events` (RevokeOtherSessionsProcess). */
const SESSION_REVOCATION_GROUP = 'identity-session-revocation';
const run = randomUUID().slice(0, 8);
const WAIT_MS = 20_000;
/** The topics requests and answers travel on: codes in transit, and answers the gateway trusts. */
const MFA_REQUESTS = requestTopic('mfa');
const IDENTITY_REPLIES = replyTopic(requestTopic('identity'));

/** A client that gives up quickly: a refusal is the expected outcome, not a reason to retry. */
const clientAs = (env: KafkaClientEnv): Kafka =>
  kafkaClientFor(env, `acl-spec-${run}`, { connectionTimeout: 3_000, retry: { retries: 1, initialRetryTime: 100 } });
/**
 * For producing and consuming: a refusal (an authorization error) is never retried by kafkajs, so
 * retries cost a refusal nothing, while a broker that has just created hundreds of partitions
 * may answer "not the leader" or "coordinator not available" for a few seconds first.
 */
const patientClientAs = (env: KafkaClientEnv): Kafka =>
  kafkaClientFor(env, `acl-spec-${run}`, {
    connectionTimeout: 3_000,
    retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 2_000 },
  });

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${WAIT_MS} ms waiting for ${what}`)), WAIT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Shaped like an integration event: other specs' readers of auth.*.events parse whatever they find. */
const probe = (label: string) => ({
  key: `acl-probe-${run}`,
  value: JSON.stringify({ eventId: randomUUID(), type: 'AclProbe', aggregateId: `acl-probe-${run}`, data: { label } }),
});

async function produce(env: KafkaClientEnv, topic: string, label = topic): Promise<void> {
  const producer = patientClientAs(env).producer({ allowAutoTopicCreation: false });
  try {
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [probe(label)] });
  } finally {
    await producer.disconnect().catch(() => {});
  }
}

/** Joins `groupId` on `topic` and resolves with the first message whose label is `label`; rejects on a refusal. */
async function consumeUntil(env: KafkaClientEnv, groupId: string, topic: string, label?: string): Promise<string> {
  const consumer = patientClientAs(env).consumer({ groupId, maxWaitTimeInMs: 250 });
  try {
    const crashed = new Promise<never>((_, reject) =>
      consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error)),
    );
    let found!: (value: string) => void;
    const received = new Promise<string>((resolve) => (found = resolve));
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const seen = JSON.parse(message.value?.toString() ?? '{}') as { data?: { label?: string } };
        if (label === undefined || seen.data?.label === label) found(seen.data?.label ?? '');
      },
    });
    return await withTimeout(Promise.race([received, crashed]), `a message on ${topic}`);
  } finally {
    await consumer.disconnect().catch(() => {});
  }
}

/** The ops CLI's principal: in the clients folder of a broker started (or granted) since it exists. */
function opsPrincipal(): KafkaClientEnv {
  if (!kafka.ops)
    throw new Error('no ops.env in the clients folder: run scripts/kafka-local.sh grant (it adds the principal)');
  return kafka.ops;
}

/** The broker closes a connection that skips the SASL handshake (or TLS) instead of answering it. */
const closed = /closed connection/i;
/**
 * kafkajs reports the broker's GROUP_AUTHORIZATION_FAILED (to FindCoordinator) as
 * this; the same principal on the same topic in its own group is served (see `allows`).
 */
const groupRefusal = /failed to find group coordinator|group authorization/i;

describe.skipIf(!inject('kafkaSecured'))('the secured broker (TLS, SCRAM, ACLs)', () => {
  beforeAll(async () => {
    // The topics exist whichever spec ran first: the refusals below are about rights, not missing topics.
    const admin = kafkaConnectionFor(kafka.admin);
    await ensureTopics(admin, 'acl-spec', [
      ...SERVICE_NAMES.flatMap(serviceTopics),
      { topic: NOTIFICATIONS_DEAD_LETTER_TOPIC, numPartitions: TOPIC_PARTITIONS },
    ]);
  });

  describe('refuses', () => {
    it('a client without a login', async () => {
      const {
        KAFKA_SASL_USERNAME: _u,
        KAFKA_SASL_PASSWORD_FILE: _f,
        KAFKA_SASL_MECHANISM: _m,
        ...tlsOnly
      } = kafka.subscriber;
      const admin = clientAs(tlsOnly).admin();
      await expect(admin.connect().then(() => admin.listTopics())).rejects.toThrow(closed);
      await admin.disconnect().catch(() => {});
    });

    it('a client without TLS', async () => {
      const admin = clientAs({ KAFKA_BROKERS: kafka.subscriber['KAFKA_BROKERS'] ?? '' }).admin();
      await expect(admin.connect().then(() => admin.listTopics())).rejects.toThrow(closed);
      await admin.disconnect().catch(() => {});
    });

    it('a wrong password', async () => {
      const wrong = { ...kafka.subscriber, KAFKA_SASL_PASSWORD_FILE: '', KAFKA_SASL_PASSWORD: 'not-the-password' };
      const admin = clientAs(wrong).admin();
      await expect(admin.connect()).rejects.toMatchObject({
        name: 'KafkaJSSASLAuthenticationError',
        message: expect.stringMatching(/authentication failed/i),
      });
      await admin.disconnect().catch(() => {});
    });

    it('subscriber producing to a reply topic (a forged answer to the gateway)', async () => {
      await expect(produce(kafka.subscriber, IDENTITY_REPLIES)).rejects.toThrow(/not authorized/i);
    });

    it('subscriber producing to an integration topic', async () => {
      await expect(produce(kafka.subscriber, INTEGRATION_TOPICS.mfa)).rejects.toThrow(/not authorized/i);
    });

    it('gateway producing to auth.mfa.events', async () => {
      await expect(produce(kafka.gateway, INTEGRATION_TOPICS.mfa)).rejects.toThrow(/not authorized/i);
    });

    it("mfa producing to identity's reply topic (a forged login)", async () => {
      await expect(produce(kafka.mfa, IDENTITY_REPLIES)).rejects.toThrow(/not authorized/i);
    });

    it('identity reading mfa.requests (codes in transit)', async () => {
      await expect(consumeUntil(kafka.identity, 'identity', MFA_REQUESTS)).rejects.toThrow(/not authorized/i);
    });

    it('identity reading auth.policy.events, or its events in a group other than its own for that', async () => {
      await expect(consumeUntil(kafka.identity, SESSION_REVOCATION_GROUP, INTEGRATION_TOPICS.policy)).rejects.toThrow(
        /not authorized/i,
      );
      await expect(consumeUntil(kafka.identity, `identity-acl-${run}`, INTEGRATION_TOPICS.mfa)).rejects.toThrow(
        groupRefusal,
      );
    });

    it('mfa reading auth.identity.events (only identity and the gateway react to it)', async () => {
      await expect(consumeUntil(kafka.mfa, 'mfa', INTEGRATION_TOPICS.identity)).rejects.toThrow(/not authorized/i);
    });

    it('gateway reading auth.mfa.events in a group not named gateway-*', async () => {
      await expect(consumeUntil(kafka.gateway, `acl-${run}`, INTEGRATION_TOPICS.mfa)).rejects.toThrow(groupRefusal);
    });

    it("mfa joining another service's consumer group", async () => {
      await expect(consumeUntil(kafka.mfa, 'identity', MFA_REQUESTS)).rejects.toThrow(groupRefusal);
    });

    it('subscriber reading a request topic, or in a group not named subscriber-*', async () => {
      await expect(consumeUntil(kafka.subscriber, `subscriber-acl-${run}`, MFA_REQUESTS)).rejects.toThrow(
        /not authorized/i,
      );
      await expect(consumeUntil(kafka.subscriber, `acl-${run}`, INTEGRATION_TOPICS.mfa)).rejects.toThrow(groupRefusal);
    });
  });

  describe('refuses the ops CLI (read-only)', () => {
    it.each([
      ...Object.values(INTEGRATION_TOPICS),
      MFA_REQUESTS,
      IDENTITY_REPLIES,
      NOTIFICATIONS_DEAD_LETTER_TOPIC,
      'mfa.relay-lease',
    ])('writing %s', async (topic) => {
      await expect(produce(opsPrincipal(), topic)).rejects.toThrow(/not authorized/i);
    });

    it("reading a request topic, reading in a group not named ops-*, or joining a relay's lease group", async () => {
      await expect(consumeUntil(opsPrincipal(), `ops-acl-${run}`, MFA_REQUESTS)).rejects.toThrow(/not authorized/i);
      await expect(consumeUntil(opsPrincipal(), `acl-${run}`, INTEGRATION_TOPICS.mfa)).rejects.toThrow(groupRefusal);
      // Joining `mfa-relay` would make ops a candidate for mfa's relay lease: describe only.
      await expect(consumeUntil(opsPrincipal(), 'mfa-relay', 'mfa.relay-lease')).rejects.toThrow(
        /not authorized|group coordinator|group authorization/i,
      );
    });
  });

  describe('refuses the notifications service', () => {
    it('publishing on an integration topic (a forged event)', async () => {
      await expect(produce(kafka.notifications, INTEGRATION_TOPICS.mfa)).rejects.toThrow(/not authorized/i);
    });

    it('reading a request topic, or auth.policy.events', async () => {
      await expect(consumeUntil(kafka.notifications, 'notifications', MFA_REQUESTS)).rejects.toThrow(/not authorized/i);
      await expect(consumeUntil(kafka.notifications, 'notifications', INTEGRATION_TOPICS.policy)).rejects.toThrow(
        /not authorized/i,
      );
    });

    it('reading the events in a group other than its two', async () => {
      await expect(
        consumeUntil(kafka.notifications, `notifications-acl-${run}`, INTEGRATION_TOPICS.mfa),
      ).rejects.toThrow(groupRefusal);
    });

    it('and everyone else writing its dead-letter topic', async () => {
      for (const principal of [kafka.subscriber, kafka.mfa, kafka.gateway]) {
        await expect(produce(principal, NOTIFICATIONS_DEAD_LETTER_TOPIC)).rejects.toThrow(/not authorized/i);
      }
    });
  });

  describe('allows', () => {
    it.each([
      [INTEGRATION_TOPICS.mfa, 'notifications'],
      [INTEGRATION_TOPICS.identity, 'notifications-recipients'],
    ])('notifications to read %s in its group %s', async (topic, group) => {
      const label = `notification-${run}-${topic}`;
      await produce(topic === INTEGRATION_TOPICS.mfa ? kafka.mfa : kafka.identity, topic, label);
      // No notifications service runs during this spec (one spec file at a time): the group is ours.
      await expect(consumeUntil(kafka.notifications, group, topic, label)).resolves.toBe(label);
    });

    it('notifications to park a message on its dead-letter topic, which a subscriber reads', async () => {
      const label = `dead-letter-${run}`;
      await produce(kafka.notifications, NOTIFICATIONS_DEAD_LETTER_TOPIC, label);
      await expect(
        consumeUntil(kafka.subscriber, `subscriber-acl-${run}`, NOTIFICATIONS_DEAD_LETTER_TOPIC, label),
      ).resolves.toBe(label);
    });

    it.each(SERVICE_NAMES)('%s to publish on its own integration topic and on no other', async (service) => {
      await produce(kafka[service], INTEGRATION_TOPICS[service]);
      for (const other of SERVICE_NAMES.filter((name) => name !== service)) {
        await expect(produce(kafka[service], INTEGRATION_TOPICS[other])).rejects.toThrow(/not authorized/i);
      }
    });

    it('gateway to send a request, and the service to read it in its own group', async () => {
      const label = `request-${run}`;
      await produce(kafka.gateway, MFA_REQUESTS, label);
      // No mfa service runs during this spec (one spec file at a time): the group is ours.
      await expect(consumeUntil(kafka.mfa, 'mfa', MFA_REQUESTS, label)).resolves.toBe(label);
    });

    it('gateway to read auth.identity.events in a gateway-* group (its view of revoked sessions)', async () => {
      const label = `revocation-${run}`;
      await produce(kafka.identity, INTEGRATION_TOPICS.identity, label);
      await expect(
        consumeUntil(kafka.gateway, `gateway-session-revocations-${run}`, INTEGRATION_TOPICS.identity, label),
      ).resolves.toBe(label);
    });

    it.each([INTEGRATION_TOPICS.identity, INTEGRATION_TOPICS.mfa])(
      'identity to read %s in its session revocation group (credential changes revoke sessions)',
      async (topic) => {
        const label = `credential-change-${run}-${topic}`;
        await produce(topic === INTEGRATION_TOPICS.mfa ? kafka.mfa : kafka.identity, topic, label);
        // No identity service runs during this spec (one spec file at a time): the group is ours.
        await expect(consumeUntil(kafka.identity, SESSION_REVOCATION_GROUP, topic, label)).resolves.toBe(label);
      },
    );

    it('ops to read auth.*.events in an ops-* group, and to describe the relay lease groups', async () => {
      const label = `ops-${run}`;
      await produce(kafka.mfa, INTEGRATION_TOPICS.mfa, label);
      await expect(consumeUntil(opsPrincipal(), `ops-acl-${run}`, INTEGRATION_TOPICS.mfa, label)).resolves.toBe(label);
      const admin = clientAs(opsPrincipal()).admin();
      try {
        await admin.connect();
        const { groups } = await admin.describeGroups(SERVICE_NAMES.map((service) => `${service}-relay`));
        expect(groups.map((group) => [group.groupId, (group as { errorCode?: number }).errorCode ?? 0])).toEqual(
          SERVICE_NAMES.map((service) => [`${service}-relay`, 0]),
        );
      } finally {
        await admin.disconnect().catch(() => {});
      }
      // The subscriber may not: who publishes is the operator's business.
      const subscriber = clientAs(kafka.subscriber).admin();
      try {
        await subscriber.connect();
        await expect(subscriber.describeGroups(['mfa-relay'])).rejects.toThrow(groupRefusal);
      } finally {
        await subscriber.disconnect().catch(() => {});
      }
    });

    it('subscriber to read auth.mfa.events in a subscriber-* group', async () => {
      const label = `event-${run}`;
      await produce(kafka.mfa, INTEGRATION_TOPICS.mfa, label);
      await expect(
        consumeUntil(kafka.subscriber, `subscriber-acl-${run}`, INTEGRATION_TOPICS.mfa, label),
      ).resolves.toBe(label);
    });
  });
});
