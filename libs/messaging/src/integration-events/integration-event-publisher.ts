import { Kafka, Partitioners, type Producer } from 'kafkajs';
import type { IntegrationEvent, IntegrationTopic } from '#contracts';
import { processBus, type InProcessBus } from '../in-process/in-process-bus.js';
import { prefixed, type KafkaConnection } from '../kafka/kafka-connection.js';
import { KAFKA_RETRY, kafkaClientConfig } from '../kafka/kafka-options.js';

export interface IntegrationEventPublisher {
  /** Resolves once the broker has acknowledged every event (or they reached the in-process subscribers). */
  publish(topic: IntegrationTopic, events: readonly IntegrationEvent[]): Promise<void>;
  close(): Promise<void>;
}

/** Keyed by aggregate id, so each user's or organisation's events stay in order; topics carry the installation's prefix. */
export class KafkaIntegrationEventPublisher implements IntegrationEventPublisher {
  private readonly producer: Producer;
  private connected?: Promise<void>;

  constructor(
    service: string,
    private readonly connection: KafkaConnection,
  ) {
    // One request in flight keeps each key's events in order; duplicates after a
    // retry are allowed (consumers dedupe by eventId), so no idempotent producer.
    // A send gives up within seconds when the broker is away: the relay retries
    // it with its own backoff, and reports itself `retrying` meanwhile.
    const client = { ...kafkaClientConfig(`${service}-relay`, connection), retry: { ...KAFKA_RETRY, retries: 3 } };
    this.producer = new Kafka(client).producer({
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  async publish(topic: IntegrationTopic, events: readonly IntegrationEvent[]): Promise<void> {
    // A failed connect is not kept: the next publish (the relay retrying) connects again.
    this.connected ??= this.producer.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    await this.connected;
    await this.producer.send({
      topic: prefixed(this.connection, topic),
      acks: -1,
      messages: events.map((event) => ({
        key: event.aggregateId,
        value: JSON.stringify(event),
        headers: { eventId: event.eventId, type: event.type, schemaVersion: String(event.schemaVersion) },
      })),
    });
  }

  async close(): Promise<void> {
    if (this.connected) await this.producer.disconnect();
  }
}

export class InProcessIntegrationEventPublisher implements IntegrationEventPublisher {
  constructor(private readonly bus: InProcessBus = processBus) {}

  async publish(topic: IntegrationTopic, events: readonly IntegrationEvent[]): Promise<void> {
    for (const event of events) await this.bus.emit(topic, event);
  }

  async close(): Promise<void> {}
}
