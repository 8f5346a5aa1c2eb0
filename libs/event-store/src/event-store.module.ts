import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { createEventStore } from './create-event-store.js';
import { EVENT_STORE, type EventStore } from './event-store.port.js';

export interface EventStoreModuleOptions {
  readonly service: string;
  readonly eventStoreUrl?: string;
  readonly dataDir: string;
}

/** Provides a service's own `EVENT_STORE` (EventStoreDB or its SQLite file) and closes it at shutdown. */
@Module({})
export class EventStoreModule implements OnApplicationShutdown {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  static forService(options: EventStoreModuleOptions): DynamicModule {
    return {
      module: EventStoreModule,
      providers: [{ provide: EVENT_STORE, useFactory: () => createEventStore(options) }],
      exports: [EVENT_STORE],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
