import { type OnApplicationBootstrap, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { INTEGRATION_TOPICS, type ServiceName } from '#contracts';
import { CONFIG, type CommonConfig } from '#config';
import { EVENT_STORE, type EventStore } from '#event-store';
import { kafkaConnectionOf } from '../kafka/kafka-connection.js';
import { InProcessIntegrationEventPublisher, KafkaIntegrationEventPublisher } from './integration-event-publisher.js';
import { IntegrationEventRelay, type RelayOptions } from './integration-event-relay.js';

class RelayLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(private readonly relay: IntegrationEventRelay) {}

  onApplicationBootstrap(): Promise<void> {
    return this.relay.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.relay.stop();
  }
}

/** Runs a service's relay to `auth.<service>.events` for the life of the application. */
export function integrationRelayProvider(
  service: ServiceName,
  toIntegrationEvent: RelayOptions['toIntegrationEvent'],
): Provider {
  return {
    provide: IntegrationEventRelay,
    inject: [CONFIG, EVENT_STORE],
    useFactory: (config: CommonConfig, store: EventStore) => {
      const kafka = kafkaConnectionOf(config);
      const publisher = kafka
        ? new KafkaIntegrationEventPublisher(service, kafka)
        : new InProcessIntegrationEventPublisher();
      return new RelayLifecycle(
        new IntegrationEventRelay(store, publisher, {
          name: service,
          topic: INTEGRATION_TOPICS[service],
          toIntegrationEvent,
        }),
      );
    },
  };
}
