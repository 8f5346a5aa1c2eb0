import { randomUUID } from 'node:crypto';
import { Partitioners, type Admin, type Consumer, type EachMessagePayload, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { kafkaClientFor } from '#testing';

// Proves the broker from the global setup works with the kafkajs version the services
// use: admin, produce, consumer groups with explicit commits, and request/reply. As the
// admin principal (a super user on the secured broker): its topics are this spec's own.

const TEST_TIMEOUT_MS = 60_000;
const WAIT_MS = 30_000;

const runId = randomUUID().slice(0, 8);
const topicName = (name: string): string => `it.kafka-broker.${runId}.${name}`;
const groupName = (name: string): string => `it.kafka-broker.${runId}.${name}`;

// Transient errors (e.g. the group coordinator loading on first use) are retried and
// would only be noise (the client logs nothing); a real failure surfaces as the rejected
// call or a timeout.
const kafka = kafkaClientFor(inject('kafkaClients').admin, `kafka-broker-spec-${runId}`, {
  connectionTimeout: 5_000,
  requestTimeout: 10_000,
  retry: { retries: 5 },
});

const connected: Array<Admin | Producer | Consumer> = [];
const createdTopics: string[] = [];
let admin: Admin;
let producer: Producer;

async function connectConsumer(groupId: string): Promise<Consumer> {
  // A 6 s session (the broker's minimum) keeps a crashed member from stalling the next
  // join; a short fetch wait keeps disconnect (which waits for the running fetch) fast.
  const consumer = kafka.consumer({ groupId, sessionTimeout: 6_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 250 });
  connected.push(consumer);
  await consumer.connect();
  return consumer;
}

async function createTopics(...topics: string[]): Promise<void> {
  const created = await admin.createTopics({
    topics: topics.map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })),
    waitForLeaders: true,
    timeout: WAIT_MS,
  });
  expect(created).toBe(true);
  createdTopics.push(...topics);
}

function withTimeout<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

interface Received {
  readonly offset: string;
  readonly key: string | undefined;
  readonly value: string | undefined;
}

/**
 * Runs `consumer` on `topic` and resolves once `count` messages arrived. Commits only
 * when told to, so a test controls exactly what the group has acknowledged.
 */
async function consumeFromBeginning(consumer: Consumer, topic: string, count: number): Promise<Received[]> {
  const received: Received[] = [];
  let reached!: () => void;
  const done = new Promise<void>((resolve) => (reached = resolve));
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ message }) => {
      received.push({ offset: message.offset, key: message.key?.toString(), value: message.value?.toString() });
      if (received.length >= count) reached();
    },
  });
  await withTimeout(done, `${count} messages on ${topic}`);
  return received;
}

beforeAll(async () => {
  admin = kafka.admin();
  connected.push(admin);
  await admin.connect();
  producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  connected.push(producer);
  await producer.connect();
}, TEST_TIMEOUT_MS);

afterAll(async () => {
  await Promise.all(
    connected.filter((client) => client !== admin).map((client) => client.disconnect().catch(() => {})),
  );
  if (createdTopics.length > 0) await admin.deleteTopics({ topics: createdTopics, timeout: WAIT_MS }).catch(() => {});
  await admin.disconnect().catch(() => {});
}, TEST_TIMEOUT_MS);

describe(`kafka broker (${inject('kafkaBrokerSource')}, ${inject('kafkaSecured') ? 'secured' : 'plaintext'})`, () => {
  it('creates topics with the admin client', { timeout: TEST_TIMEOUT_MS }, async () => {
    const topics = [topicName('admin-a'), topicName('admin-b')];

    await createTopics(...topics);

    expect(await admin.listTopics()).toEqual(expect.arrayContaining(topics));
    const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
    expect(metadata.map((topic) => [topic.name, topic.partitions.length]).sort()).toEqual(
      topics.map((topic) => [topic, 1]),
    );
  });

  it('resumes a consumer group after the offset it committed', { timeout: TEST_TIMEOUT_MS }, async () => {
    const topic = topicName('orders');
    const groupId = groupName('orders-consumers');
    await createTopics(topic);
    const sendOrders = (numbers: number[]) =>
      producer.send({
        topic,
        acks: -1,
        messages: numbers.map((n) => ({ key: `user-${n}`, value: `order-${n}` })),
      });

    const [firstBatch] = await sendOrders([0, 1, 2]);
    expect(firstBatch).toMatchObject({ topicName: topic, partition: 0, errorCode: 0, baseOffset: '0' });

    const first = await connectConsumer(groupId);
    const firstReceived = await consumeFromBeginning(first, topic, 3);
    expect(firstReceived).toEqual([
      { offset: '0', key: 'user-0', value: 'order-0' },
      { offset: '1', key: 'user-1', value: 'order-1' },
      { offset: '2', key: 'user-2', value: 'order-2' },
    ]);
    // The committed offset is the next one to read.
    await first.commitOffsets([{ topic, partition: 0, offset: '3' }]);
    await first.disconnect();

    expect(await admin.fetchOffsets({ groupId, topics: [topic] })).toEqual([
      { topic, partitions: [expect.objectContaining({ partition: 0, offset: '3' })] },
    ]);

    const [secondBatch] = await sendOrders([3, 4]);
    expect(secondBatch?.baseOffset).toBe('3');

    // fromBeginning only applies without a committed offset: reading order-0 here
    // would mean the commit was lost.
    const second = await connectConsumer(groupId);
    const secondReceived = await consumeFromBeginning(second, topic, 2);
    expect(secondReceived).toEqual([
      { offset: '3', key: 'user-3', value: 'order-3' },
      { offset: '4', key: 'user-4', value: 'order-4' },
    ]);
  });

  it('round-trips requests and replies over two topics by correlation id', { timeout: TEST_TIMEOUT_MS }, async () => {
    const requestTopic = topicName('rpc.requests');
    const replyTopic = topicName('rpc.replies');
    await createTopics(requestTopic, replyTopic);

    // Responder: answers each request on the topic named in its reply-to header.
    const responder = await connectConsumer(groupName('rpc-responder'));
    await responder.subscribe({ topics: [requestTopic], fromBeginning: true });
    await responder.run({
      eachMessage: async ({ message }: EachMessagePayload) => {
        const correlationId = message.headers?.['correlation-id']?.toString();
        const replyTo = message.headers?.['reply-to']?.toString();
        if (!correlationId || !replyTo) throw new Error('request without correlation-id or reply-to header');
        const { a, b } = JSON.parse(message.value?.toString() ?? '{}') as { a: number; b: number };
        await producer.send({
          topic: replyTo,
          messages: [
            { key: message.key, value: JSON.stringify({ sum: a + b }), headers: { 'correlation-id': correlationId } },
          ],
        });
      },
    });

    // Requester: matches replies to pending requests by correlation id.
    const pending = new Map<string, (reply: { sum: number }) => void>();
    const unmatched: string[] = [];
    const requester = await connectConsumer(groupName('rpc-requester'));
    await requester.subscribe({ topics: [replyTopic], fromBeginning: true });
    await requester.run({
      eachMessage: async ({ message }: EachMessagePayload) => {
        const correlationId = message.headers?.['correlation-id']?.toString() ?? '<none>';
        const resolve = pending.get(correlationId);
        if (!resolve) {
          unmatched.push(correlationId);
          return;
        }
        pending.delete(correlationId);
        resolve(JSON.parse(message.value?.toString() ?? 'null') as { sum: number });
      },
    });

    const request = async (a: number, b: number): Promise<{ sum: number }> => {
      const correlationId = randomUUID();
      const reply = new Promise<{ sum: number }>((resolve) => pending.set(correlationId, resolve));
      await producer.send({
        topic: requestTopic,
        messages: [
          {
            key: correlationId,
            value: JSON.stringify({ a, b }),
            headers: { 'correlation-id': correlationId, 'reply-to': replyTopic },
          },
        ],
      });
      return withTimeout(reply, `the reply to request ${correlationId}`);
    };

    const replies = await Promise.all([request(1, 2), request(20, 22), request(-5, 5)]);

    expect(replies).toEqual([{ sum: 3 }, { sum: 42 }, { sum: 0 }]);
    expect(pending.size).toBe(0);
    expect(unmatched).toEqual([]);
  });
});
