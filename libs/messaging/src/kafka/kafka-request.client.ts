import { ClientKafka, type KafkaOptions } from '@nestjs/microservices';

/**
 * The caller side of request/reply over Kafka: Nest's Kafka client, sending
 * `mfa.activate` to `<prefix>mfa.activate` and reading its answer from
 * `<prefix>mfa.activate.reply` (KAFKA_TOPIC_PREFIX). Nest uses the pattern as
 * the topic name; the contracts keep their names whatever the installation.
 */
export class KafkaRequestClient extends ClientKafka {
  constructor(
    options: NonNullable<KafkaOptions['options']>,
    private readonly topicPrefix = '',
  ) {
    super(options);
  }

  protected override normalizePattern(pattern: Parameters<ClientKafka['send']>[0]): string {
    return `${this.topicPrefix}${super.normalizePattern(pattern)}`;
  }
}
