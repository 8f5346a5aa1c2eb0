import type { INestMicroservice, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { CommonConfig, KafkaConnectionConfig } from '#config';
import type { ServiceName } from '#contracts';
import { EVENT_STORE, type EventStore } from '#event-store';
import { addReadinessCheck, loggingOptions, useProcessLogger, withLogging } from '#observability';
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
  /** Default: the process's logger (`installLogging`), else Nest's. */
  readonly logger?: LoggerService | false;
}

/**
 * Starts a service's message handlers on Kafka (creating the topics first) or
 * in-process, its logs through the process's logger, and tells the process's
 * readiness (`/health/ready` of the management listener) whether it can
 * serve: its event store answers a read and its transport consumes.
 */
export async function startService({
  service,
  module,
  config,
  logger,
}: StartServiceOptions): Promise<INestMicroservice> {
  const kafka = kafkaConnectionOf(config);
  if (kafka) await ensureTopics(kafka, service, serviceTopics(service));
  const strategy = kafka
    ? new KafkaRequestServer(
        service,
        kafkaServerOptions(service, kafka),
        config.KAFKA_REQUEST_TIMEOUT_MS,
        kafka.topicPrefix,
      )
    : new InProcessServer();
  const app = await NestFactory.createMicroservice(withLogging(module as object), {
    strategy,
    abortOnError: false,
    ...loggingOptions(logger),
  });
  if (logger === undefined) useProcessLogger(app);
  await app.listen();
  const store = app.get<EventStore>(EVENT_STORE, { strict: false });
  addReadinessCheck(service, async () => {
    await store.read(`health-${service}`, { maxCount: 1 });
    const consuming = !(strategy instanceof KafkaRequestServer) || strategy.consuming;
    return consuming
      ? { status: 'up', transport: kafka ? 'kafka' : 'in-process' }
      : { status: 'down', error: 'not consuming requests (its Kafka consumer has not joined its group)' };
  });
  return app;
}
