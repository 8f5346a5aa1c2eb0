// kafkajs connection settings from a principal's env file as kafka-local.sh writes it
// (.cache/kafka/clients/<principal>.env): the same KAFKA_* variables the services read.
import { readFileSync } from 'node:fs';

/** KEY=VALUE lines; blank lines and # comments ignored (the subset of dotenv we write). */
export function readEnvFile(path) {
  const env = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^\s*([A-Z0-9_]+)=(.*)$/.exec(line);
    if (match) env[match[1]] = match[2].trim();
  }
  return env;
}

/** `{ brokers, ssl?, sasl? }` for `new Kafka(...)`. */
export function kafkaConnection(env) {
  const brokers = (env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
  if (brokers.length === 0) throw new Error('KAFKA_BROKERS is missing');
  const connection = { brokers };
  if (env.KAFKA_SSL_CA_FILE) connection.ssl = { ca: [readFileSync(env.KAFKA_SSL_CA_FILE, 'utf8')] };
  if (env.KAFKA_SASL_USERNAME) {
    const password = env.KAFKA_SASL_PASSWORD_FILE
      ? readFileSync(env.KAFKA_SASL_PASSWORD_FILE, 'utf8').trim()
      : (env.KAFKA_SASL_PASSWORD ?? '');
    connection.sasl = {
      mechanism: env.KAFKA_SASL_MECHANISM ?? 'scram-sha-512',
      username: env.KAFKA_SASL_USERNAME,
      password,
    };
  }
  return connection;
}
