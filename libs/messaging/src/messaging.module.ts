import { type DynamicModule, Module } from '@nestjs/common';
import { SERVICE_NAMES } from '#contracts';
import { InProcessClient } from './in-process/in-process.client.js';
import type { KafkaConnection } from './kafka/kafka-connection.js';
import { kafkaCallerOptions } from './kafka/kafka-options.js';
import { KafkaRequestClient } from './kafka/kafka-request.client.js';
import type { SealingRecipients } from './rpc-envelope.js';
import { RPC_CLIENT, RPC_TIMEOUT_MS, SEALING_RECIPIENTS, ServiceClient } from './service-client.js';

export interface CallerOptions {
  /** Names the caller's Kafka client and reply consumer group. */
  readonly caller: string;
  /** Unset: the in-process transport (`kafkaConnectionOf(config)`). */
  readonly kafka?: KafkaConnection | undefined;
  readonly timeoutMs: number;
  /** The keys passwords and codes are sealed to, per receiving service. */
  readonly sealing: SealingRecipients;
}

/** Gives a caller (the gateway) a `ServiceClient` over Kafka or in-process. */
@Module({})
export class MessagingModule {
  static forCaller({ caller, kafka, timeoutMs, sealing }: CallerOptions): DynamicModule {
    return {
      module: MessagingModule,
      providers: [
        {
          provide: RPC_CLIENT,
          useFactory: async () => {
            if (!kafka) return new InProcessClient();
            const client = new KafkaRequestClient(kafkaCallerOptions(caller, kafka), kafka.topicPrefix);
            for (const service of SERVICE_NAMES) client.answersFrom(service);
            await client.connect();
            return client;
          },
        },
        { provide: RPC_TIMEOUT_MS, useValue: timeoutMs },
        { provide: SEALING_RECIPIENTS, useValue: sealing },
        ServiceClient,
      ],
      exports: [ServiceClient],
    };
  }
}
