import type { INestMicroservice, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { CommonConfig, KafkaConnectionConfig } from '#config';
import type { ServiceName } from '#contracts';
import { InProcessServer } from './in-process/in-process.server.js';
import { ensureTopics, serviceTopics } from './kafka/ensure-topics.js';
import { kafkaConnectionOf } from './kafka/kafka-connection.js';
import { KafkaRequestServer } from './kafka/kafka-request.server.js';
import { kafkaServerOptions } from './kafka/kafka-options.js';

export interface StartServiceOptions {
  readonly service: ServiceName;
  readonly module: unknown;
  /** KAFKA_BROKERS unset: serve the in-process transport. */
  readonly config: KafkaConnectionConfig & Pick<CommonConfig, 'KAFKA_REQUEST_TIMEOUT_MS'>;
  readonly logger?: LoggerService | false;
}

/** Starts a service's message handlers on Kafka (creating the topics first) or in-process. */
export async function startService({
  service,
  module,
  config,
  logger,
}: StartServiceOptions): Promise<INestMicroservice> {
  const kafka = kafkaConnectionOf(config);
  if (kafka) await ensureTopics(kafka, service, serviceTopics(service));
  const strategy = kafka
    ? new KafkaRequestServer(kafkaServerOptions(service, kafka), config.KAFKA_REQUEST_TIMEOUT_MS, kafka.topicPrefix)
    : new InProcessServer();
  const app = await NestFactory.createMicroservice(module as never, {
    strategy,
    abortOnError: false,
    ...(logger !== undefined ? { logger } : {}),
  });
  await app.listen();
  return app;
}
