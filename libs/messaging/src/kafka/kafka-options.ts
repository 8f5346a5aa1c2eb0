import type { KafkaOptions } from '@nestjs/microservices';
import { logLevel, Partitioners, type KafkaConfig, type LogEntry } from 'kafkajs';
import { Logger } from '@nestjs/common';
import { prefixed, type KafkaConnection } from './kafka-connection.js';

/**
 * Partitions of every topic the system creates: room for that many instances
 * of a service (or of the gateway, which gets its replies on its own partition).
 */
export const TOPIC_PARTITIONS = 4;

/**
 * kafkajs logs whole JSON objects, repeatedly, while it retries; we log one line
 * per problem through Nest's logger instead (never message contents). An error
 * answer the client retries by itself (a coordinator still being elected on a
 * fresh broker, a leader moving) is a warning, not an error.
 */
const logCreator = () => {
  const logger = new Logger('Kafka');
  return ({ level, log }: LogEntry) => {
    if (level > logLevel.WARN) return;
    const reason = typeof log.error === 'string' ? `: ${log.error}` : '';
    const line = `${log.message}${reason}${log.broker ? ` (broker ${String(log.broker)})` : ''}`;
    const handledByClient =
      log.retriable === true || log.message.startsWith('Response ') || log.message.startsWith('Offset out of range');
    if (level === logLevel.ERROR && !handledByClient) logger.error(line);
    else logger.warn(line);
  };
};

/** Every kafkajs client of the system is built from this: the connection's TLS and login included. */
export function kafkaClientConfig(clientId: string, connection: KafkaConnection): KafkaConfig {
  return {
    clientId,
    brokers: connection.brokers,
    ...(connection.ssl ? { ssl: { ca: connection.ssl.ca } } : {}),
    ...(connection.sasl ? { sasl: { ...connection.sasl } } : {}),
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { initialRetryTime: 100, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator,
  };
}

/**
 * A new consumer group (a service or caller starting for the first time, or
 * after its offsets expired) starts from the oldest retained message, not the
 * newest: otherwise a request or reply sent while the group was joining would
 * be skipped. What it finds there is harmless: request topics keep a minute,
 * stale requests are dropped (`KafkaRequestServer`), and replies nobody
 * waits for any more match no correlation id.
 */
const subscribeFromOldestRetained = { fromBeginning: true } as const;

/**
 * Nest's default Kafka serializer takes any object with a top-level `key` or
 * `value` for a ready-made Kafka message (and would send `{ok, value}` results
 * as their bare `value`). Our payloads are always data: serialize them whole.
 */
const payloadSerializer = {
  serialize: (data: unknown) => ({ value: data === undefined ? null : JSON.stringify(data), headers: {} }),
};

/**
 * A fetch returns as soon as one message is there (minBytes 1), so the wait
 * bounds only how often an idle consumer asks: long enough to cost next to
 * nothing, short enough for a quick shutdown (kafkajs lets the fetch finish).
 */
const consumerTuning = {
  sessionTimeout: 10000,
  heartbeatInterval: 1000,
  rebalanceTimeout: 10000,
  minBytes: 1,
  maxWaitTimeInMs: 500,
  allowAutoTopicCreation: false,
} as const;

/** A service's server: one consumer group per service (`<prefix><service>`), so instances share the load. */
export function kafkaServerOptions(service: string, connection: KafkaConnection): NonNullable<KafkaOptions['options']> {
  return {
    client: kafkaClientConfig(`${service}-server`, connection),
    consumer: { groupId: prefixed(connection, service), ...consumerTuning },
    producer: { allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner },
    subscribe: subscribeFromOldestRetained,
    postfixId: '',
    serializer: payloadSerializer,
  };
}

/** A caller's client (`ClientKafka`); its reply consumer group is `<prefix><caller>-replies`. */
export function kafkaCallerOptions(caller: string, connection: KafkaConnection): NonNullable<KafkaOptions['options']> {
  return {
    client: kafkaClientConfig(`${caller}-client`, connection),
    consumer: { groupId: prefixed(connection, `${caller}-replies`), ...consumerTuning },
    producer: { allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner },
    subscribe: subscribeFromOldestRetained,
    postfixId: '',
    serializer: payloadSerializer,
  };
}
