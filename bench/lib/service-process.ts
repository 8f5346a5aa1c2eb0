/**
 * One service as its own process, from the compiled `dist/` (run `npm run
 * build` first), and a caller that talks to it over Kafka exactly as the
 * gateway does. Shared by the benchmarks and the integration specs, which
 * need a service on its own rather than the whole system.
 */
import 'reflect-metadata';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Kafka, logLevel } from 'kafkajs';
import type { ServiceName } from '#contracts';
import { ensureTopics, MessagingModule, ServiceClient } from '#messaging';

export interface ServiceProcess {
  readonly service: ServiceName;
  /** Everything the process wrote to stdout and stderr so far. */
  logs(): string;
  /** SIGTERM (a graceful shutdown: the consumer leaves its group), SIGKILL after 10 s. */
  stop(): Promise<void>;
}

export function startServiceProcess(service: ServiceName, env: Record<string, string>): ServiceProcess {
  const entry = join(repoRoot(), 'dist', 'apps', service, 'src', 'main.js');
  if (!existsSync(entry)) throw new Error(`${entry} not found: run \`npm run build\` first`);
  const child: ChildProcess = spawn(process.execPath, [entry], {
    cwd: repoRoot(),
    env: { ...process.env, ...env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    service,
    logs: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface Caller {
  readonly services: ServiceClient;
  close(): Promise<void>;
}

/** A `ServiceClient` over Kafka with its own reply consumer group (`<caller>-replies`). */
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

function repoRoot(): string {
  let directory = import.meta.dirname;
  while (!existsSync(join(directory, 'package.json'))) {
    const parent = dirname(directory);
    if (parent === directory) throw new Error(`no package.json above ${import.meta.dirname}`);
    directory = parent;
  }
  return directory;
}
