/**
 * How the ops CLI reaches Kafka: the same KAFKA_* settings as every service
 * (libs/config), as the principal they name. Reading the integration topics
 * takes the `subscriber` login (or `ops`, which may also describe the relay
 * groups); ops never produces to a topic and never commits an offset: each
 * run reads in a consumer group of its own, `<principal>-<purpose>-<random>`,
 * which the broker forgets once the run leaves it (no committed offset).
 */
import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { INTEGRATION_TOPICS, type IntegrationTopic } from '#contracts';
import { kafkaConnectionSchema, type KafkaConnectionConfig } from '#config';
import { kafkaConnectionOf, prefixed, type KafkaConnection } from '#messaging';
import type { ServiceName } from '../audited-services.js';
import type { OpsIo } from '../ops-io.js';

/** The KAFKA_* settings of the environment, checked by the services' own rules; undefined: KAFKA_BROKERS unset. */
export function kafkaSettingsOf(env: NodeJS.ProcessEnv): KafkaConnectionConfig | undefined {
  if (!env['KAFKA_BROKERS']?.trim()) return undefined;
  const parsed = kafkaConnectionSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
  throw new Error(`invalid Kafka configuration: ${problems.join('; ')}`);
}

/** The connection, its warnings (a development broker without TLS or login) on stderr, never on stdout. */
export function opsKafkaConnection(config: KafkaConnectionConfig, io: OpsIo): KafkaConnection {
  const toStderr = (message: unknown) => io.err.write(`ops: ${String(message)}\n`);
  Logger.overrideLogger({ log: () => undefined, error: toStderr, warn: toStderr, debug: () => undefined });
  const connection = kafkaConnectionOf(config);
  if (!connection) throw new Error('KAFKA_BROKERS is not set');
  return connection;
}

/** A kafkajs client that gives up within seconds (an operator is waiting) and logs only errors, to stderr. */
export function opsKafka(connection: KafkaConnection, io: OpsIo, purpose: string): Kafka {
  const config: KafkaConfig = {
    clientId: `ops-${purpose}`,
    brokers: connection.brokers,
    ...(connection.ssl ? { ssl: { ca: connection.ssl.ca } } : {}),
    ...(connection.sasl ? { sasl: { ...connection.sasl } } : {}),
    connectionTimeout: 5_000,
    requestTimeout: 15_000,
    retry: { initialRetryTime: 200, maxRetryTime: 2_000, retries: 5 },
    logLevel: logLevel.ERROR,
    logCreator:
      () =>
      ({ log }) => {
        // kafkajs logs a consumer leaving its group as an error when it is stopped mid-fetch: not the operator's concern.
        if (/The group is rebalancing|stopped|disconnect/i.test(log.message)) return;
        io.err.write(`ops: kafka: ${log.message}${typeof log.error === 'string' ? `: ${log.error}` : ''}\n`);
      },
  };
  return new Kafka(config);
}

/**
 * A consumer group of this run's own: `<prefix><principal>-<purpose>-<random>`,
 * inside the groups the principal's ACLs allow (`subscriber-*`, `ops-*`).
 */
export function oneRunGroup(connection: KafkaConnection, purpose: string): string {
  const principal = connection.sasl?.username ?? 'ops';
  return prefixed(connection, `${principal}-${purpose}-${randomUUID().slice(0, 8)}`);
}

/** The service whose topic an (unprefixed) integration topic is. */
export function serviceOfTopic(topic: string): ServiceName | undefined {
  const found = Object.entries(INTEGRATION_TOPICS).find(([, name]) => name === topic);
  return found ? (found[0] as ServiceName) : undefined;
}

/** The installation's topic of a service's integration events. */
export const topicOf = (connection: KafkaConnection, service: ServiceName): string =>
  prefixed(connection, INTEGRATION_TOPICS[service]);

/** The unprefixed name of one of the installation's topics, if it is one of the integration topics. */
export function integrationTopicOf(connection: KafkaConnection, topic: string): IntegrationTopic | undefined {
  if (!topic.startsWith(connection.topicPrefix)) return undefined;
  const name = topic.slice(connection.topicPrefix.length);
  return Object.values(INTEGRATION_TOPICS).find((known) => known === name);
}
