import type { KafkaOptions } from '@nestjs/microservices';
import { logLevel, Partitioners, type KafkaConfig, type LogEntry } from 'kafkajs';
import { Logger } from '@nestjs/common';
import { prefixed, type KafkaConnection } from './kafka-connection.js';

/**
 * Partitions of every topic the system creates: room for that many instances
 * of a service (or of the gateway, which gets its replies on its own partition).
 */
export const TOPIC_PARTITIONS = 4;

/** A line a client logged is not logged again by that client within this long. */
const REPEATED_LINE_QUIET_MS = 30_000;

/**
 * kafkajs logs whole JSON objects, repeatedly, while it retries; we log one line
 * per problem through Nest's logger instead (never message contents). An error
 * answer the client retries by itself (a coordinator still being elected on a
 * fresh broker, a leader moving) is a warning, not an error. While a broker is
 * away every retry logs the same connection error: each client says it once
 * per REPEATED_LINE_QUIET_MS (the consumers and the relay say themselves when
 * they are back).
 */
const logCreator = () => {
  const logger = new Logger('Kafka');
  const loggedAt = new Map<string, number>();
  return ({ level, log }: LogEntry) => {
    if (level > logLevel.WARN) return;
    const reason = typeof log.error === 'string' ? `: ${log.error}` : '';
    const line = `${log.message}${reason}${log.broker ? ` (broker ${String(log.broker)})` : ''}`;
    const now = Date.now();
    if (now - (loggedAt.get(line) ?? -Infinity) < REPEATED_LINE_QUIET_MS) return;
    for (const [earlier, at] of loggedAt) if (now - at >= REPEATED_LINE_QUIET_MS) loggedAt.delete(earlier);
    loggedAt.set(line, now);
    const handledByClient =
      log.retriable === true || log.message.startsWith('Response ') || log.message.startsWith('Offset out of range');
    if (level === logLevel.ERROR && !handledByClient) logger.error(line);
    else logger.warn(line);
  };
};

/**
 * kafkajs retries a failed request with exponential backoff; capped at 2 s, a
 * client whose broker comes back notices within 2 s (kafkajs's default cap of
 * 30 s left consumers idle for 10 s and more after a broker restart). Ten
 * retries give up after about 13 s; consumers then restart (ConsumerRecovery),
 * the relay resubscribes, a caller has answered `503` long before.
 */
export const KAFKA_RETRY = { initialRetryTime: 100, maxRetryTime: 2000, retries: 10 } as const;

/** Every kafkajs client of the system is built from this: the connection's TLS and login included. */
export function kafkaClientConfig(clientId: string, connection: KafkaConnection): KafkaConfig {
  return {
    clientId,
    brokers: connection.brokers,
    ...(connection.ssl ? { ssl: { ca: connection.ssl.ca } } : {}),
    ...(connection.sasl ? { sasl: { ...connection.sasl } } : {}),
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: KAFKA_RETRY,
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
    // Committed by the server itself as requests are taken (`PeriodicOffsetCommit`), not after each batch.
    run: { autoCommit: false },
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
    // Committed every few seconds by the client itself (`PeriodicOffsetCommit`), not after each batch.
    run: { autoCommit: false },
    postfixId: '',
    serializer: payloadSerializer,
  };
}
