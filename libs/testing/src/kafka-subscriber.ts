import type { Consumer, KafkaMessage } from 'kafkajs';
import { ConsumerRecovery, KAFKA_RETRY } from '#messaging';
import type { KafkaClientEnv } from './kafka-broker.js';
import { kafkaClientFor } from './kafka-caller.js';

export interface SubscriberOptions {
  /** On the secured broker, the subscriber principal's groups start with `subscriber-`. */
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly onMessage: (message: KafkaMessage, topic: string) => void;
}

export interface Subscriber {
  /** Consumers that replaced a crashed one (`ConsumerRecovery`). */
  readonly restarts: () => number;
  close(): Promise<void>;
}

/**
 * A consumer group reading `topics` from the oldest retained message, as an
 * internal subscriber of `auth.*.events` would, that survives broker outages
 * the way the services' consumers do. Resolves once it has joined its group.
 */
export async function startSubscriber(env: KafkaClientEnv, options: SubscriberOptions): Promise<Subscriber> {
  // The services' retry policy (not the tests' default): back within 2 s of the broker.
  const kafka = kafkaClientFor(env, options.groupId, { retry: KAFKA_RETRY });
  let current: Consumer;
  let joinedOnce!: () => void;
  const joined = new Promise<void>((resolve) => (joinedOnce = resolve));
  const create = (): Consumer => {
    current = kafka.consumer({ groupId: options.groupId, maxWaitTimeInMs: 250, sessionTimeout: 10_000 });
    current.on(current.events.GROUP_JOIN, () => joinedOnce());
    return current;
  };
  const run = async (consumer: Consumer): Promise<void> => {
    recovery.watch(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [...options.topics], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message, topic }) => options.onMessage(message, topic) });
  };
  const recovery = new ConsumerRecovery({ label: options.groupId, create, run });
  await run(create());
  await joined;
  return {
    restarts: () => recovery.restarts,
    close: async () => {
      await recovery.close();
      await current.disconnect();
    },
  };
}
