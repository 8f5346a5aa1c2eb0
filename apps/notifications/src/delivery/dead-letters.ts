import { Logger } from '@nestjs/common';
import { Kafka, Partitioners, type Producer } from 'kafkajs';
import { NOTIFICATIONS_DEAD_LETTER_TOPIC, type DeadLetterMessage } from '#contracts';
import {
  ensureTopics,
  kafkaClientConfig,
  prefixed,
  processBus,
  TOPIC_PARTITIONS,
  type KafkaConnection,
} from '#messaging';

export const DEAD_LETTERS = Symbol('DEAD_LETTERS');

/** Where a message that will not be delivered goes, with its reason, for an operator to look at and replay. */
export interface DeadLetters {
  /** Resolves once the message is stored (on Kafka: acknowledged by every in-sync replica). */
  park(message: DeadLetterMessage): Promise<void>;
  close(): Promise<void>;
}

/**
 * On Kafka, `auth.notifications.dead-letter` (with the installation's prefix),
 * created here at start: also the start-up probe of the service's login and
 * ACLs. In process, the process bus's topic of the same name.
 */
export async function openDeadLetters(kafka: KafkaConnection | undefined): Promise<DeadLetters> {
  if (!kafka)
    return new LoggedDeadLetters(async (message) => processBus.emit(NOTIFICATIONS_DEAD_LETTER_TOPIC, message));
  await ensureTopics(kafka, 'notifications', [
    { topic: NOTIFICATIONS_DEAD_LETTER_TOPIC, numPartitions: TOPIC_PARTITIONS },
  ]);
  const producer: Producer = new Kafka(kafkaClientConfig('notifications-dead-letter', kafka)).producer({
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const topic = prefixed(kafka, NOTIFICATIONS_DEAD_LETTER_TOPIC);
  return new LoggedDeadLetters(
    async (message) => {
      await producer.send({
        topic,
        messages: [{ key: message.userId ?? message.eventId, value: JSON.stringify(message) }],
      });
    },
    () => producer.disconnect(),
  );
}

class LoggedDeadLetters implements DeadLetters {
  private readonly logger = new Logger('DeadLetters');

  constructor(
    private readonly publish: (message: DeadLetterMessage) => Promise<void>,
    readonly close: () => Promise<void> = async () => undefined,
  ) {}

  async park(message: DeadLetterMessage): Promise<void> {
    await this.publish(message);
    const { eventId, type, userId, reason, attempts, lastError } = message;
    this.logger.warn(
      `parked the mail about ${type} ${eventId}${userId ? ` of user ${userId}` : ''} on ${NOTIFICATIONS_DEAD_LETTER_TOPIC}: ` +
        `${reason} after ${attempts} ${attempts === 1 ? 'try' : 'tries'}${lastError ? ` (last: ${lastError})` : ''}`,
    );
  }
}
