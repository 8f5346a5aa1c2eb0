import { Controller, Inject, Optional, type Type } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { type HealthReport, type ServiceName, MfaRpc, IdentityRpc, PolicyRpc } from '#contracts';
import type { CommonConfig } from '#config';
import { EVENT_STORE, eventStoreKindOf, type EventStore } from '#event-store';
import { answer } from './answer.js';
import { IntegrationEventRelay } from './integration-events/integration-event-relay.js';
import { invalidIntegrationEventsOf } from './integration-events/integration-relay.provider.js';

const HEALTH_RPC = { identity: IdentityRpc.checkHealth, mfa: MfaRpc.checkHealth, policy: PolicyRpc.checkHealth };

/**
 * `<service>.check-health`: a real round trip through the transport, a read of
 * the service's event store, and the state and lag of its relay (and the events
 * it refused for breaking their contract, if any).
 */
export function healthController(
  service: ServiceName,
  config: Pick<CommonConfig, 'KAFKA_BROKERS' | 'EVENTSTORE_URL'>,
): Type<unknown> {
  const rpc = HEALTH_RPC[service];
  const transport = config.KAFKA_BROKERS ? 'kafka' : 'in-process';
  const eventStore = eventStoreKindOf(config.EVENTSTORE_URL);

  @Controller()
  class HealthController {
    constructor(
      @Inject(EVENT_STORE) private readonly store: EventStore,
      @Optional() @Inject(IntegrationEventRelay) private readonly relay?: IntegrationEventRelay,
    ) {}

    @MessagePattern(rpc.pattern)
    check(@Payload() payload: unknown) {
      return answer(rpc, payload, async (): Promise<HealthReport> => {
        await this.store.read(`health-${service}`, { maxCount: 1 });
        const relay = await this.relay?.health();
        const invalid = this.relay ? invalidIntegrationEventsOf(this.relay) : 0;
        return {
          service,
          status: 'up',
          transport,
          eventStore,
          ...(relay ? { relay: { ...relay, ...(invalid > 0 ? { invalid } : {}) } } : {}),
        };
      });
    }
  }
  return HealthController;
}
