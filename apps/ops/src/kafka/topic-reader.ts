import type { Kafka, KafkaMessage } from 'kafkajs';
import type { TopicRetention } from './retained-log.js';
import type { MessagePlace } from './topic-message.js';

export type OnMessage = (place: MessagePlace, message: KafkaMessage) => void | Promise<void>;

export interface TopicsRead {
  readonly messages: number;
  /** Topics the broker does not have (the service never started on this installation): read as empty. */
  readonly missingTopics: readonly string[];
  /** Per topic read, where each partition's retained log starts (retention may have deleted its beginning). */
  readonly retention: ReadonlyMap<string, TopicRetention>;
}

/** No message for this long while some are still due: the read fails rather than hang. */
const STALL_MS = 30_000;

/**
 * Every message of `topics` up to their ends as they are when the read starts
 * (later ones are left alone, so the read ends), oldest first per partition.
 * Joins `group` (a group of this run's own) and commits nothing.
 */
export async function readTopicsToEnd(
  kafka: Kafka,
  group: string,
  topics: readonly string[],
  onMessage: OnMessage,
  /** How many messages the read will go through: for a progress bar. */
  onTotal?: (messages: number) => void,
): Promise<TopicsRead> {
  const due = new Map<string, bigint>();
  let total = 0;
  const missingTopics: string[] = [];
  const present: string[] = [];
  /** Per partition: the first offset the broker still holds, and its message's timestamp once read. */
  const starts = new Map<string, { topic: string; partition: number; offset: bigint; timestamp: number | null }>();
  const partitionCounts = new Map<string, number>();
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    for (const topic of topics) {
      if (!existing.has(topic)) {
        missingTopics.push(topic);
        continue;
      }
      present.push(topic);
      const offsets = await admin.fetchTopicOffsets(topic);
      partitionCounts.set(topic, offsets.length);
      for (const { partition, high, low } of offsets) {
        starts.set(`${topic}:${partition}`, { topic, partition, offset: BigInt(low), timestamp: null });
        if (BigInt(high) <= BigInt(low)) continue;
        due.set(`${topic}:${partition}`, BigInt(high) - 1n);
        total += Number(BigInt(high) - BigInt(low));
      }
    }
  } finally {
    await admin.disconnect();
  }
  if (due.size === 0) return { messages: 0, missingTopics, retention: retentionOf(partitionCounts, starts) };
  onTotal?.(total);

  let messages = 0;
  const consumer = kafka.consumer({ groupId: group, maxWaitTimeInMs: 250, allowAutoTopicCreation: false });
  try {
    await new Promise<void>((resolve, reject) => {
      let stall = setTimeout(stalled, STALL_MS);
      function stalled() {
        reject(new Error(`no message for ${STALL_MS / 1000} s; still due: ${[...due.keys()].join(', ')}`));
      }
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        clearTimeout(stall);
        reject(payload.error);
      });
      const run = async () => {
        await consumer.connect();
        await consumer.subscribe({ topics: present, fromBeginning: true });
        await consumer.run({
          autoCommit: false,
          eachMessage: async ({ topic, partition, message }) => {
            const key = `${topic}:${partition}`;
            const last = due.get(key);
            if (last === undefined || BigInt(message.offset) > last) return;
            clearTimeout(stall);
            stall = setTimeout(stalled, STALL_MS);
            messages += 1;
            const start = starts.get(key)!;
            if (start.timestamp === null) {
              // The oldest retained message (retention may have deleted more since the offsets were fetched).
              start.offset = BigInt(message.offset);
              start.timestamp = Number(message.timestamp);
            }
            await onMessage({ topic, partition, offset: message.offset }, message);
            if (BigInt(message.offset) >= last) due.delete(key);
            if (due.size === 0) {
              clearTimeout(stall);
              resolve();
            }
          },
        });
      };
      run().catch((error: unknown) => {
        clearTimeout(stall);
        reject(error instanceof Error ? error : new Error(String(error)));
      });
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  return { messages, missingTopics, retention: retentionOf(partitionCounts, starts) };
}

function retentionOf(
  partitionCounts: ReadonlyMap<string, number>,
  starts: ReadonlyMap<string, { topic: string; partition: number; offset: bigint; timestamp: number | null }>,
): Map<string, TopicRetention> {
  const retention = new Map<string, TopicRetention>();
  for (const [topic, partitions] of partitionCounts) {
    const truncated = new Map<number, number | null>();
    for (const start of starts.values()) {
      if (start.topic === topic && start.offset > 0n) truncated.set(start.partition, start.timestamp);
    }
    retention.set(topic, { partitions, truncated });
  }
  return retention;
}
