import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireKafkaBroker, kafkaClientFor, type KafkaBroker } from '#testing';
import { whyStackUnavailable } from './compose-stack.js';

/**
 * The tests' Testcontainers path (KAFKA_TESTCONTAINERS=1) on the repo's own Kafka image,
 * as CI builds it: a broker secured like scripts/kafka-local.sh's (TLS, a SCRAM login per
 * principal, the ACLs), found by explicit configuration, started from a local image.
 */
const required = process.env['TOTP_MFA_COMPOSE'] === '1';
const unavailable = required ? undefined : whyStackUnavailable();

describe.skipIf(unavailable !== undefined)(
  `a Testcontainers broker from totp-mfa-kafka:local${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let broker: KafkaBroker;
    const topic = 'auth.mfa.events';

    beforeAll(async () => {
      broker = await acquireKafkaBroker({
        env: { KAFKA_TESTCONTAINERS: '1', KAFKA_TESTCONTAINERS_IMAGE: 'totp-mfa-kafka:local' },
      });
    }, 180_000);

    afterAll(async () => {
      await broker?.release();
    }, 60_000);

    it('is secured: a service publishes its own events, the subscriber reads them, the gateway may not write', async () => {
      expect(broker).toMatchObject({ source: 'testcontainers', secured: true });
      expect(broker.clients.mfa['KAFKA_SASL_USERNAME']).toBe('mfa');

      const eventId = randomUUID();
      const producer = kafkaClientFor(broker.clients.mfa, 'image-spec-mfa').producer();
      await producer.connect();
      try {
        const admin = kafkaClientFor(broker.clients.mfa, 'image-spec-mfa').admin();
        await admin.connect();
        await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
        await admin.disconnect();
        await producer.send({ topic, messages: [{ key: eventId, value: JSON.stringify({ eventId }) }] });
      } finally {
        await producer.disconnect();
      }

      const consumer = kafkaClientFor(broker.clients.subscriber, 'image-spec-subscriber').consumer({
        groupId: `subscriber-image-spec-${eventId}`,
      });
      await consumer.connect();
      try {
        await consumer.subscribe({ topic, fromBeginning: true });
        const read = new Promise<string>((resolve) => {
          void consumer.run({ eachMessage: async ({ message }) => resolve(String(message.key)) });
        });
        const seen = await Promise.race([
          read,
          new Promise<string>((_, reject) => setTimeout(() => reject(new Error('no message in 30 s')), 30_000)),
        ]);
        expect(seen).toBe(eventId);
      } finally {
        await consumer.disconnect();
      }

      const gateway = kafkaClientFor(broker.clients.gateway, 'image-spec-gateway', {
        retry: { retries: 0 },
      }).producer();
      await gateway.connect();
      try {
        await expect(gateway.send({ topic, messages: [{ value: 'forged' }] })).rejects.toThrow(/authoriz/i);
      } finally {
        await gateway.disconnect();
      }
    });
  },
);
