import type { TestProject } from 'vitest/node';
import { acquireKafkaBroker, type KafkaBrokerSource } from '#testing';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Comma-separated `host:port` list of the broker acquired for this run. */
    kafkaBrokers: string;
    kafkaBrokerSource: KafkaBrokerSource;
  }
}

/** One broker per test run, shared by every integration spec through `inject('kafkaBrokers')`. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const broker = await acquireKafkaBroker();
  console.info(`kafka for integration tests: ${broker.brokers} (${broker.source})`);
  project.provide('kafkaBrokers', broker.brokers);
  project.provide('kafkaBrokerSource', broker.source);
  return () => broker.release();
}
