import {
  ClientKafka,
  KafkaReplyPartitionAssigner,
  type KafkaOptions,
  type ReadPacket,
  type Serializer,
  type WritePacket,
} from '@nestjs/microservices';
import type { Consumer, ConsumerGroupJoinEvent, EachMessagePayload, IHeaders, Kafka } from 'kafkajs';
import type { ServiceName } from '#contracts';
import { ConsumerRecovery } from './consumer-recovery.js';
import { withCorrelationHeader } from './correlation-header.js';
import { PeriodicOffsetCommit } from './periodic-offset-commit.js';
import { PATTERN_HEADER, replyTopic, requestTopic, serviceOfPattern } from './request-topics.js';

/** How often the reply consumer commits how far it read. */
const REPLY_COMMIT_INTERVAL_MS = 5000;

/**
 * The caller side of request/reply over Kafka: Nest's Kafka client, sending
 * `mfa.activate` to `<prefix>mfa.requests` with the pattern in its `x-pattern`
 * header, and reading its answer from `<prefix>mfa.requests.reply`
 * (KAFKA_TOPIC_PREFIX; `request-topics.ts` says why not a topic per pattern,
 * as Nest would). The contracts keep their names whatever the installation.
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
  private joined = false;
  private readonly replyOffsets = new PeriodicOffsetCommit(() => this._consumer ?? undefined, REPLY_COMMIT_INTERVAL_MS);

  constructor(
    options: NonNullable<KafkaOptions['options']>,
    private readonly topicPrefix = '',
  ) {
    super(options);
    // Requests carry their pattern (`x-pattern`) and their correlation id (`x-correlation-id`) in headers.
    this.serializer = withPatternHeader(withCorrelationHeader(this.serializer));
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

  /** Replies from `service` come to this client (call before `connect`). */
  answersFrom(service: ServiceName): void {
    this.responsePatterns.push(replyTopic(`${this.topicPrefix}${requestTopic(service)}`));
  }

  /** A pattern's topic: its service's request topic (the reply topic follows from it, `getResponsePatternName`). */
  protected override normalizePattern(pattern: Parameters<ClientKafka['send']>[0]): string {
    const name = super.normalizePattern(pattern);
    const service = serviceOfPattern(name);
    if (!service) throw new Error(`${name} is no service's pattern`);
    return `${this.topicPrefix}${requestTopic(service)}`;
  }

  /** The pattern travels with the data as far as the serializer, which moves it to the `x-pattern` header. */
  protected override publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    return super.publish({ ...packet, data: new Addressed(String(packet.pattern), packet.data) }, callback);
  }

  /** Its reply consumer has joined its group and has not crashed or stopped since: it can get answers. */
  get consuming(): boolean {
    return this.joined;
  }

  /** Every reply consumer, the first and each replacement, is watched for a crash. */
  override async bindTopics(): Promise<void> {
    const consumer = this._consumer;
    if (consumer) {
      this.recovery.watch(consumer);
      consumer.on(consumer.events.GROUP_JOIN, () => (this.joined = true));
      for (const left of [consumer.events.CRASH, consumer.events.STOP]) consumer.on(left, () => (this.joined = false));
    }
    await super.bindTopics();
  }

  override async close(): Promise<void> {
    await this.replyOffsets.stop();
    await this.recovery.close();
    await super.close();
  }

  /** Replies are not committed after each batch (`run: { autoCommit: false }`) but every few seconds. */
  override createResponseCallback(): (payload: EachMessagePayload) => Promise<void> {
    const respond = super.createResponseCallback();
    return async (payload) => {
      this.replyOffsets.handled(payload.topic, payload.partition, payload.message.offset);
      await respond(payload);
    };
  }

  /**
   * Replies come only to the lowest partition of each reply topic this caller
   * is assigned (what every request's reply-partition header names): the
   * others are paused, so each fetch lists one partition per service called
   * instead of all of them (3 instead of 12). kafkajs has no incremental
   * fetch sessions: a fetch costs the broker and the client in proportion to
   * the partitions it lists, and at request/reply rates nearly every reply
   * costs a fetch (README "Where a login's time goes"). After a rebalance the
   * new lowest partition is resumed and the rest paused again.
   */
  protected override setConsumerAssignments(data: ConsumerGroupJoinEvent): void {
    super.setConsumerAssignments(data);
    const consumer = this._consumer;
    if (!consumer) return;
    consumer.resume(consumer.paused());
    const unused = Object.entries(data.payload.memberAssignment)
      .map(([topic, partitions]) => ({
        topic,
        partitions: partitions.filter((partition) => partition !== this.consumerAssignments[topic]),
      }))
      .filter(({ partitions }) => partitions.length > 0);
    if (unused.length > 0) consumer.pause(unused);
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

/** A request's data and its pattern, from `publish` to the serializer. */
class Addressed {
  constructor(
    readonly pattern: string,
    readonly data: unknown,
  ) {}
}

function withPatternHeader(serializer: Serializer): Serializer {
  return {
    serialize: async (value: unknown, options?: Record<string, unknown>) => {
      if (!(value instanceof Addressed)) return serializer.serialize(value, options);
      const message = (await serializer.serialize(value.data, options)) as { headers?: IHeaders };
      return { ...message, headers: { ...message.headers, [PATTERN_HEADER]: value.pattern } };
    },
  };
}
