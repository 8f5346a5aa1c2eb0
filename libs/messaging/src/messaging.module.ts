import { type DynamicModule, Module } from '@nestjs/common';
import { ClientKafka } from '@nestjs/microservices';
import { PATTERNS_BY_SERVICE } from '#contracts';
import { InProcessClient } from './in-process/in-process.client.js';
import { kafkaCallerOptions } from './kafka/kafka-options.js';
import { RPC_CLIENT, RPC_TIMEOUT_MS, ServiceClient } from './service-client.js';

export interface CallerOptions {
  /** Names the caller's Kafka client and reply consumer group. */
  readonly caller: string;
  /** Unset: the in-process transport. */
  readonly kafkaBrokers?: string[];
  readonly timeoutMs: number;
}

/** Gives a caller (the gateway) a `ServiceClient` over Kafka or in-process. */
@Module({})
export class MessagingModule {
  static forCaller({ caller, kafkaBrokers, timeoutMs }: CallerOptions): DynamicModule {
    return {
      module: MessagingModule,
      providers: [
        {
          provide: RPC_CLIENT,
          useFactory: async () => {
            if (!kafkaBrokers) return new InProcessClient();
            const client = new ClientKafka(kafkaCallerOptions(caller, kafkaBrokers));
            for (const pattern of Object.values(PATTERNS_BY_SERVICE).flat()) client.subscribeToResponseOf(pattern);
            await client.connect();
            return client;
          },
        },
        { provide: RPC_TIMEOUT_MS, useValue: timeoutMs },
        ServiceClient,
      ],
      exports: [ServiceClient],
    };
  }
}
