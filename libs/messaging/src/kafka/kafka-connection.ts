import { readFileSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import type { KafkaConnectionConfig } from '#config';

/** How this process reaches Kafka: the brokers, its TLS and SASL settings, and its installation's topic prefix. */
export interface KafkaConnection {
  readonly brokers: string[];
  /** TLS trusting these CA certificates (PEM); unset: plaintext. */
  readonly ssl?: { readonly ca: string };
  /** This process's principal; unset: unauthenticated. */
  readonly sasl?: { readonly mechanism: 'scram-sha-512'; readonly username: string; readonly password: string };
  /** Before every topic and consumer group name (KAFKA_TOPIC_PREFIX); empty by default. */
  readonly topicPrefix: string;
}

let warnedUnsecured = false;

/**
 * The connection the configuration describes (KAFKA_BROKERS unset: none, the
 * in-process transport). Reads the CA and password files, which the
 * configuration has already found readable. A development broker without TLS
 * or SASL is allowed, with one warning per process.
 */
export function kafkaConnectionOf(config: KafkaConnectionConfig): KafkaConnection | undefined {
  const brokers = config.KAFKA_BROKERS;
  if (!brokers) return undefined;
  const ssl = config.KAFKA_SSL_CA_FILE ? { ca: readFileSync(config.KAFKA_SSL_CA_FILE, 'utf8') } : undefined;
  const username = config.KAFKA_SASL_USERNAME;
  const password = config.KAFKA_SASL_PASSWORD_FILE
    ? readFileSync(config.KAFKA_SASL_PASSWORD_FILE, 'utf8').trim()
    : config.KAFKA_SASL_PASSWORD;
  const sasl =
    username && password
      ? { mechanism: config.KAFKA_SASL_MECHANISM ?? ('scram-sha-512' as const), username, password }
      : undefined;
  if ((!ssl || !sasl) && !warnedUnsecured) {
    warnedUnsecured = true;
    new Logger('Kafka').warn(
      `${brokers.join(',')}: ${ssl ? '' : 'no TLS (KAFKA_SSL_CA_FILE), '}${sasl ? '' : 'no login (KAFKA_SASL_USERNAME), '}` +
        'so anyone who reaches the broker can read and forge requests: a development broker only',
    );
  }
  return {
    brokers,
    ...(ssl ? { ssl } : {}),
    ...(sasl ? { sasl } : {}),
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
  };
}

/** The topic (or consumer group) `name` of this installation. */
export function prefixed(connection: Pick<KafkaConnection, 'topicPrefix'>, name: string): string {
  return `${connection.topicPrefix}${name}`;
}
