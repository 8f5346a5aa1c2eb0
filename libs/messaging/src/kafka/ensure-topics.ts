import { Kafka, logLevel, type ITopicConfig } from 'kafkajs';
import { INTEGRATION_TOPICS, PATTERNS_BY_SERVICE } from '#contracts';
import { TOPIC_PARTITIONS } from './kafka-options.js';

/**
 * Request and reply topics hold passwords and codes in transit; they are kept
 * only for a minute. Integration events (no secrets) keep the broker default.
 */
const TRANSIENT_TOPIC_CONFIG = [
  { name: 'retention.ms', value: '60000' },
  { name: 'segment.ms', value: '60000' },
];

export function systemTopics(): ITopicConfig[] {
  const requestTopics = Object.values(PATTERNS_BY_SERVICE).flat();
  const transient = [...requestTopics, ...requestTopics.map((pattern) => `${pattern}.reply`)].map((topic) => ({
    topic,
    numPartitions: TOPIC_PARTITIONS,
    configEntries: TRANSIENT_TOPIC_CONFIG,
  }));
  const integration = Object.values(INTEGRATION_TOPICS).map((topic) => ({ topic, numPartitions: TOPIC_PARTITIONS }));
  return [...transient, ...integration];
}

/**
 * Creates every topic the system uses (idempotent). Also the start-up probe:
 * unreachable brokers fail here with one line instead of retry noise.
 */
export async function ensureTopics(brokers: string[], clientId: string): Promise<void> {
  const admin = new Kafka({
    clientId: `${clientId}-admin`,
    brokers,
    connectionTimeout: 3000,
    retry: { retries: 3, initialRetryTime: 200 },
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const missing = systemTopics().filter((topic) => !existing.has(topic.topic));
    if (missing.length > 0) await admin.createTopics({ topics: missing, waitForLeaders: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Kafka brokers ${brokers.join(',')} unreachable (KAFKA_BROKERS): ${reason}`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
