import type { INestMicroservice, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { ServiceName } from '#contracts';
import { InProcessServer } from './in-process/in-process.server.js';
import { ensureTopics } from './kafka/ensure-topics.js';
import { kafkaServerOptions } from './kafka/kafka-options.js';

export interface StartServiceOptions {
  readonly service: ServiceName;
  readonly module: unknown;
  /** Unset: serve the in-process transport. */
  readonly kafkaBrokers?: string[];
  readonly logger?: LoggerService | false;
}

/** Starts a service's message handlers on Kafka (creating the topics first) or in-process. */
export async function startService({
  service,
  module,
  kafkaBrokers,
  logger,
}: StartServiceOptions): Promise<INestMicroservice> {
  if (kafkaBrokers) await ensureTopics(kafkaBrokers, service);
  const app = await NestFactory.createMicroservice(module as never, {
    ...(kafkaBrokers ? kafkaServerOptions(service, kafkaBrokers) : { strategy: new InProcessServer() }),
    abortOnError: false,
    ...(logger !== undefined ? { logger } : {}),
  });
  await app.listen();
  return app;
}
