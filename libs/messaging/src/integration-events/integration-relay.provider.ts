import type { Provider } from '@nestjs/common';
import { INTEGRATION_TOPICS, type ServiceName } from '#contracts';
import { CONFIG, type CommonConfig } from '#config';
import { EVENT_STORE, type EventStore } from '#event-store';
import { kafkaConnectionOf } from '../kafka/kafka-connection.js';
import { InProcessIntegrationEventPublisher, KafkaIntegrationEventPublisher } from './integration-event-publisher.js';
import { IntegrationEventRelay } from './integration-event-relay.js';
import { KafkaRelayLease, SoleInstanceLease } from './relay-lease.js';
import type { IntegrationEventMapping } from './published-aggregate.js';

/** Each relay's mapping, for the health answer's count of events refused for breaking their contract. */
const mappings = new WeakMap<IntegrationEventRelay, IntegrationEventMapping>();

/** How many events the relay's mapping refused since the start (`integrationEventsOf`): 0 if none or unknown. */
export function invalidIntegrationEventsOf(relay: IntegrationEventRelay): number {
  return mappings.get(relay)?.invalidEvents() ?? 0;
}

/**
 * Runs a service's relay to `auth.<service>.events` for the life of the
 * application (it starts and stops with it), reading only the streams of the
 * aggregates it publishes; the service's health answer reports on it. On
 * Kafka the instance holding the relay lease publishes, the others stand by.
 */
export function integrationRelayProvider(service: ServiceName, toIntegrationEvent: IntegrationEventMapping): Provider {
  return {
    provide: IntegrationEventRelay,
    inject: [CONFIG, EVENT_STORE],
    useFactory: (config: CommonConfig, store: EventStore) => {
      const kafka = kafkaConnectionOf(config);
      const publisher = kafka
        ? new KafkaIntegrationEventPublisher(service, kafka)
        : new InProcessIntegrationEventPublisher();
      const relay = new IntegrationEventRelay(store, publisher, {
        name: service,
        topic: INTEGRATION_TOPICS[service],
        toIntegrationEvent,
        streamPrefixes: toIntegrationEvent.streamPrefixes,
        // On Kafka, instances of the service may be several: one publishes at a time.
        lease: kafka ? new KafkaRelayLease(service, kafka) : new SoleInstanceLease(),
      });
      mappings.set(relay, toIntegrationEvent);
      return relay;
    },
  };
}
