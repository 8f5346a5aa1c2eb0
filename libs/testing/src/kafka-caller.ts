import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import type { z } from 'zod';
import { kafkaConnectionSchema } from '#config';
import { DomainError, type RequestOf, type Rpc, type ServiceName } from '#contracts';
import {
  callerTopics,
  ensureTopics,
  kafkaClientConfig,
  kafkaConnectionOf,
  MessagingModule,
  prefixed,
  sealingRecipientsOf,
  ServiceClient,
  type KafkaConnection,
} from '#messaging';
import type { KafkaClientEnv } from './kafka-broker.js';

export interface Caller {
  readonly services: ServiceClient;
  close(): Promise<void>;
}

/** A call's answer or its refusal as a value, so a spec can compare many of them at once. */
export type Outcome<T> =
  { ok: true; value: T } | { ok: false; code: string; message: string; details?: Record<string, unknown> };

export async function outcomeOf<R extends Rpc>(
  services: ServiceClient,
  rpc: R,
  payload: RequestOf<R>,
): Promise<Outcome<z.output<R['response']>>> {
  try {
    return { ok: true, value: await services.call(rpc, payload) };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return {
      ok: false,
      code: error.code,
      message: error.message,
      ...(error.details ? { details: error.details } : {}),
    };
  }
}

/** The connection a process with these KAFKA_* variables makes (validated as the services validate them). */
export function kafkaConnectionFor(env: KafkaClientEnv): KafkaConnection {
  const connection = kafkaConnectionOf(kafkaConnectionSchema.parse(env));
  if (!connection) throw new Error('the client environment names no KAFKA_BROKERS');
  return connection;
}

/** A kafkajs client connected as the principal of `env`, quiet (a test asserts on what it gets, not on logs). */
export function kafkaClientFor(env: KafkaClientEnv, clientId: string, overrides: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    ...kafkaClientConfig(clientId, kafkaConnectionFor(env)),
    logLevel: logLevel.NOTHING,
    retry: { retries: 5 },
    ...overrides,
  });
}

/**
 * A `ServiceClient` over Kafka, as the gateway has, with its own reply consumer
 * group (`<caller>-replies`). On the secured broker `env` is the gateway's,
 * whose consumer groups must start with `gateway-`: name the caller so.
 */
export async function connectCaller(
  env: KafkaClientEnv,
  caller: string,
  timeoutMs = 10_000,
  /** The DATA_DIR of the services called, whose development sealing keys the caller seals to. */
  servicesDataDir?: string,
): Promise<Caller> {
  const kafka = kafkaConnectionFor(env);
  await ensureTopics(kafka, caller, callerTopics()); // the reply topics must exist before the client subscribes
  const context: INestApplicationContext = await NestFactory.createApplicationContext(
    MessagingModule.forCaller({
      caller,
      kafka,
      timeoutMs,
      sealing: servicesDataDir ? sealingRecipientsOf({ DATA_DIR: servicesDataDir }) : {},
    }),
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
 * its own event store. `adminEnv`: a principal that may describe every group.
 */
export async function consumersOf(adminEnv: KafkaClientEnv, service: ServiceName): Promise<number> {
  const admin = kafkaClientFor(adminEnv, `${service}-group-probe`).admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([prefixed(kafkaConnectionFor(adminEnv), service)]);
    return groups[0]?.members.length ?? 0;
  } finally {
    await admin.disconnect();
  }
}
