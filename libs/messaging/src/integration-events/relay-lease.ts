import { Logger } from '@nestjs/common';
import { Kafka, type Consumer } from 'kafkajs';
import type { ServiceName } from '#contracts';
import { ConsumerRecovery } from '../kafka/consumer-recovery.js';
import { prefixed, type KafkaConnection } from '../kafka/kafka-connection.js';
import { kafkaClientConfig } from '../kafka/kafka-options.js';

/**
 * Who publishes a service's events: one instance at a time, so N instances do
 * not put N copies of every event on the topic. `start` calls `onChange(true)`
 * when this instance becomes the publisher and `onChange(false)` when it stops
 * being it (another took over, or this one lost the broker), never twice in a
 * row with the same value.
 */
export interface RelayLease {
  start(onChange: (leading: boolean) => void): Promise<void>;
  stop(): Promise<void>;
}

/** One process (the in-process transport): it is the publisher. */
export class SoleInstanceLease implements RelayLease {
  async start(onChange: (leading: boolean) => void): Promise<void> {
    onChange(true);
  }

  async stop(): Promise<void> {}
}

/** The one-partition topic whose owner in the `<service>-relay` group is the publisher (inside the service's namespace). */
export const relayLeaseTopic = (service: ServiceName): string => `${service}.relay-lease`;
export const relayLeaseGroup = (service: ServiceName): string => `${service}-relay`;

/**
 * The lease as Kafka's group membership: every instance of the service joins
 * the group `<service>-relay` on a topic of one partition, and the member the
 * group assigns that partition publishes. Kafka does the election and the
 * failure detection: when the publisher stops (or dies: after the session
 * timeout, 10 s) the group rebalances and another member gets the partition.
 * Nothing is produced to or consumed from the topic; membership is the lease.
 *
 * A member stops publishing as soon as a rebalance begins and starts again
 * only once it is assigned the partition, so two instances publish at once
 * only while a publisher that lost the broker has not noticed yet (it cannot
 * publish then either). Consumers dedupe by `eventId` in any case: the relay
 * is at-least-once by design.
 */
export class KafkaRelayLease implements RelayLease {
  private readonly logger = new Logger(KafkaRelayLease.name);
  private readonly kafka: Kafka;
  private readonly topic: string;
  private readonly group: string;
  private consumer?: Consumer;
  private recovery?: ConsumerRecovery;
  private leading = false;
  private onChange: (leading: boolean) => void = () => undefined;

  constructor(
    private readonly service: ServiceName,
    connection: KafkaConnection,
    private readonly sessionTimeoutMs = 10_000,
  ) {
    this.kafka = new Kafka(kafkaClientConfig(`${service}-relay-lease`, connection));
    this.topic = prefixed(connection, relayLeaseTopic(service));
    this.group = prefixed(connection, relayLeaseGroup(service));
  }

  async start(onChange: (leading: boolean) => void): Promise<void> {
    this.onChange = onChange;
    this.recovery = new ConsumerRecovery({
      label: this.group,
      create: () => this.create(),
      run: (consumer) => this.run(consumer),
    });
    // Not awaited to the join: a service starts without the broker, and the relay waits for its lease.
    void this.run(this.create()).catch((error: unknown) => {
      this.logger.warn(`${this.group}: not in the relay group yet (${String(error)}); retrying`);
      this.set(false);
    });
  }

  async stop(): Promise<void> {
    await this.recovery?.close();
    this.set(false);
    // Leaving the group hands the lease over at once, not after the session timeout.
    await this.consumer?.disconnect().catch(() => undefined);
  }

  private create(): Consumer {
    const consumer = this.kafka.consumer({
      groupId: this.group,
      sessionTimeout: this.sessionTimeoutMs,
      heartbeatInterval: Math.max(500, Math.floor(this.sessionTimeoutMs / 5)),
      rebalanceTimeout: this.sessionTimeoutMs * 2,
    });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.set((payload.memberAssignment[this.topic] ?? []).includes(0));
    });
    consumer.on(consumer.events.REBALANCING, () => this.set(false));
    consumer.on(consumer.events.CRASH, () => this.set(false));
    consumer.on(consumer.events.STOP, () => this.set(false));
    this.consumer = consumer;
    return consumer;
  }

  private async run(consumer: Consumer): Promise<void> {
    this.recovery?.watch(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [this.topic] });
    await consumer.run({ eachMessage: async () => undefined });
  }

  private set(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    this.logger.log(`${this.service} relay: ${leading ? 'publishing (holds the lease)' : 'standing by'}`);
    this.onChange(leading);
  }
}
