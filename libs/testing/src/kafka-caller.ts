import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import type { ServiceName } from '#contracts';
import { ensureTopics, MessagingModule, ServiceClient } from '#messaging';

export interface Caller {
  readonly services: ServiceClient;
  close(): Promise<void>;
}

/** A `ServiceClient` over Kafka, as the gateway has, with its own reply consumer group (`<caller>-replies`). */
export async function connectCaller(kafkaBrokers: string, caller: string, timeoutMs = 10_000): Promise<Caller> {
  const brokers = kafkaBrokers.split(',');
  await ensureTopics(brokers, caller); // the reply topics must exist before the client subscribes
  const context: INestApplicationContext = await NestFactory.createApplicationContext(
    MessagingModule.forCaller({ caller, kafkaBrokers: brokers, timeoutMs }),
    { logger: ['error'] },
  );
  return { services: context.get(ServiceClient), close: () => context.close() };
}

/** Calls `probe` until it answers (the service has joined its consumer group), at most `timeoutMs`. */
export async function waitUntilAnswering(probe: () => Promise<unknown>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      await probe();
      return;
    } catch (error) {
      lastError = error;
      await sleep(250);
    }
  }
  throw new Error(
    `no answer within ${timeoutMs} ms: ${lastError instanceof Error ? lastError.message : String(lastError)}`,
  );
}

/**
 * How many processes consume the service's requests (its consumer group). Each
 * service is one group named after it, so any other instance on the same broker
 * (another test run, a developer's) would take a share of the requests, with
 * its own event store.
 */
export async function consumersOf(kafkaBrokers: string, service: ServiceName): Promise<number> {
  const admin = new Kafka({
    clientId: `${service}-group-probe`,
    brokers: kafkaBrokers.split(','),
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([service]);
    return groups[0]?.members.length ?? 0;
  } finally {
    await admin.disconnect();
  }
}
