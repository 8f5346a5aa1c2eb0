import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, type Admin, type ITopicConfig } from 'kafkajs';
import { INTEGRATION_TOPICS, SERVICE_NAMES, type ServiceName } from '#contracts';
import type { KafkaConnection } from './kafka-connection.js';
import { kafkaClientConfig, TOPIC_PARTITIONS } from './kafka-options.js';
import { relayLeaseTopic } from '../integration-events/relay-lease.js';
import { replyTopic, requestTopic } from './request-topics.js';

/**
 * Request and reply topics hold passwords and codes in transit; they are kept
 * only for a minute. Integration events (no secrets) keep the broker default.
 */
const TRANSIENT_TOPIC_CONFIG = [
  { name: 'retention.ms', value: '60000' },
  { name: 'segment.ms', value: '60000' },
];

const requestReplyTopics = (service: ServiceName): ITopicConfig[] =>
  [requestTopic(service), replyTopic(requestTopic(service))].map((topic) => ({
    topic,
    numPartitions: TOPIC_PARTITIONS,
    configEntries: TRANSIENT_TOPIC_CONFIG,
  }));

/**
 * What a service creates: its request and reply topics, its integration topic,
 * and its relay's lease topic (one partition: its owner publishes), all that
 * its ACLs allow.
 */
export function serviceTopics(service: ServiceName): ITopicConfig[] {
  return [
    ...requestReplyTopics(service),
    { topic: INTEGRATION_TOPICS[service], numPartitions: TOPIC_PARTITIONS },
    { topic: relayLeaseTopic(service), numPartitions: 1 },
  ];
}

/** What a caller (the gateway) creates: every service's request topic and its reply topic, which it subscribes to. */
export function callerTopics(): ITopicConfig[] {
  return SERVICE_NAMES.flatMap(requestReplyTopics);
}

/**
 * Creates the missing ones of `topics` (names without the installation's
 * prefix; idempotent). Also the start-up probe: unreachable brokers, a refused
 * login or missing ACLs fail here with one line instead of retry noise.
 */
export async function ensureTopics(
  connection: KafkaConnection,
  clientId: string,
  topics: ITopicConfig[],
): Promise<void> {
  const admin = new Kafka({
    ...kafkaClientConfig(`${clientId}-admin`, connection),
    retry: { retries: 3, initialRetryTime: 200 },
    logLevel: logLevel.NOTHING,
  }).admin();
  const wanted = topics.map((topic) => ({ ...topic, topic: `${connection.topicPrefix}${topic.topic}` }));
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter((topic) => !existing.has(topic.topic));
    if (missing.length > 0) {
      await admin.createTopics({ topics: missing, waitForLeaders: false });
      await waitForLeaders(
        admin,
        missing.map((topic) => topic.topic),
      );
    }
  } catch (error) {
    throw new Error(startupProblem(connection, error));
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * kafkajs's own wait (`waitForLeaders`) gives up on the first UNKNOWN_TOPIC_OR_PARTITION,
 * which a KRaft broker answers until the new topics reach its metadata cache.
 */
async function waitForLeaders(admin: Admin, topics: string[], timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics });
      if (metadata.topics.every(({ partitions }) => partitions.length > 0 && partitions.every((p) => p.leader >= 0))) {
        return;
      }
    } catch (error) {
      if ((error as { retriable?: boolean }).retriable !== true || Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`topics created, but without leaders after ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** One line an operator can act on; names the principal, never its password. */
function startupProblem(connection: KafkaConnection, error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  const name = error instanceof Error ? error.name : '';
  const principal = connection.sasl?.username;
  if (name === 'KafkaJSSASLAuthenticationError') {
    return `Kafka refused the login of ${principal} (KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD): ${reason}`;
  }
  if (/authorization/i.test(reason) || (error as { type?: string }).type?.includes('AUTHORIZATION')) {
    return `Kafka refused ${principal ?? 'this client'} access to its topics (check its ACLs): ${reason}`;
  }
  if (/certificate|self[- ]signed|SSL|TLS/i.test(reason)) {
    return `Kafka brokers ${connection.brokers.join(',')}: TLS failed (KAFKA_SSL_CA_FILE): ${reason}`;
  }
  return `Kafka brokers ${connection.brokers.join(',')} unreachable (KAFKA_BROKERS): ${reason}`;
}
