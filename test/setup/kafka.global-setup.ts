import type { TestProject } from 'vitest/node';
import { acquireKafkaBroker, kafkaClientFor, type KafkaBrokerSource, type KafkaClients } from '#testing';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Comma-separated `host:port` list of the broker acquired for this run. */
    kafkaBrokers: string;
    kafkaBrokerSource: KafkaBrokerSource;
    /** The KAFKA_* variables of each principal (admin, gateway, identity, mfa, policy, subscriber). */
    kafkaClients: KafkaClients;
    /** TLS, SCRAM logins and ACLs (the repo's broker by default); false for a plaintext broker. */
    kafkaSecured: boolean;
    /** The broker's log directory, when it is the repo's broker on this machine; else null. */
    kafkaDataDir: string | null;
  }
}

/** One broker per test run, shared by every integration spec through `inject('kafkaClients')`. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const broker = await acquireKafkaBroker();
  console.info(
    `kafka for integration tests: ${broker.brokers} (${broker.source}, ${broker.secured ? 'TLS + SCRAM + ACLs' : 'plaintext'})`,
  );
  await checkAdminLogin(broker.clients.admin, broker.secured);
  await warmGroupCoordinator(broker.clients.admin);
  project.provide('kafkaBrokers', broker.brokers);
  project.provide('kafkaBrokerSource', broker.source);
  project.provide('kafkaClients', broker.clients);
  project.provide('kafkaSecured', broker.secured);
  project.provide('kafkaDataDir', broker.dataDir);
  return () => broker.release();
}

/** A broker the specs cannot reach fails here once, with a hint, rather than in every spec. */
async function checkAdminLogin(env: KafkaClients['admin'], secured: boolean): Promise<void> {
  const admin = kafkaClientFor(env, 'test-setup-probe', { retry: { retries: 2 }, connectionTimeout: 5_000 }).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
  } catch (error) {
    const hint = secured
      ? 'is the broker running (scripts/kafka-local.sh status)?'
      : 'if it is the secured repo broker, set KAFKA_CLIENTS_DIR=.cache/kafka/clients instead of KAFKA_BROKERS';
    throw new Error(`Kafka at ${env['KAFKA_BROKERS']} did not answer: ${(error as Error).message}; ${hint}`);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/**
 * On a fresh broker the first consumer group makes Kafka create its offsets
 * topic, and until then every group's coordinator is "not available". Specs
 * whose consumers retry little (to see a refusal quickly) would take that for
 * a failure: the first lookup happens here, with room to wait for it.
 */
async function warmGroupCoordinator(env: KafkaClients['admin']): Promise<void> {
  const admin = kafkaClientFor(env, 'test-setup-coordinator', {
    retry: { retries: 15, maxRetryTime: 2_000 },
    connectionTimeout: 5_000,
  }).admin();
  try {
    await admin.connect();
    await admin.describeGroups(['test-setup-coordinator']);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
