import { ClientKafka, KafkaReplyPartitionAssigner, type KafkaOptions } from '@nestjs/microservices';
import type { Consumer, Kafka } from 'kafkajs';
import { ConsumerRecovery } from './consumer-recovery.js';

/**
 * The caller side of request/reply over Kafka: Nest's Kafka client, sending
 * `mfa.activate` to `<prefix>mfa.activate` and reading its answer from
 * `<prefix>mfa.activate.reply` (KAFKA_TOPIC_PREFIX). Nest uses the pattern as
 * the topic name; the contracts keep their names whatever the installation.
 *
 * Its reply consumer survives broker outages (`ConsumerRecovery`): one that
 * crashed for good is replaced in process, in the same group, with the same
 * reply-partition assigner (the partition replies are asked for follows its
 * new assignment). Requests waiting for a reply meanwhile are not lost track
 * of: each caller's timeout answers `service_unavailable` and removes its
 * callback, as for any lost reply. Sends need nothing of the kind: one that
 * fails during an outage is `service_unavailable` (at the latest when the
 * caller's timeout ends), and the producer reconnects on the next send.
 */
export class KafkaRequestClient extends ClientKafka {
  private readonly recovery: ConsumerRecovery;

  constructor(
    options: NonNullable<KafkaOptions['options']>,
    private readonly topicPrefix = '',
  ) {
    super(options);
    this.recovery = new ConsumerRecovery({
      label: this.groupId,
      logger: this.logger,
      create: () => this.createReplyConsumer(),
      run: async (consumer) => {
        await consumer.connect();
        await this.bindTopics();
      },
    });
  }

  protected override normalizePattern(pattern: Parameters<ClientKafka['send']>[0]): string {
    return `${this.topicPrefix}${super.normalizePattern(pattern)}`;
  }

  /** Every reply consumer, the first and each replacement, is watched for a crash. */
  override async bindTopics(): Promise<void> {
    if (this._consumer) this.recovery.watch(this._consumer);
    await super.bindTopics();
  }

  override async close(): Promise<void> {
    await this.recovery.close();
    await super.close();
  }

  /** As `ClientKafka` makes its first one: the reply partitions it is assigned are where replies are asked for. */
  private createReplyConsumer(): Consumer {
    const consumer = (this.client as Kafka).consumer({
      partitionAssigners: [(config) => new KafkaReplyPartitionAssigner(this, config)],
      ...this.options.consumer,
      groupId: this.groupId,
    });
    this._consumer = consumer;
    this.registerConsumerEventListeners();
    consumer.on(consumer.events.GROUP_JOIN, (event) => this.setConsumerAssignments(event));
    return consumer;
  }
}
