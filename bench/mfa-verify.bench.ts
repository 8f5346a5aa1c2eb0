/**
 * `mfa.verify-challenge`, the mfa service as its own process on real Kafka,
 * called through the same `ServiceClient` the gateway uses:
 *
 *  1. the success path at concurrency 1 and 32: a time-step passes once per
 *     user, so every call is a different user, enrolled and activated first;
 *  2. the failure path (a wrong code, lock-out off: MFA_MAX_FAILED_ATTEMPTS
 *     very large) at concurrency 1 and 32, over 64 users;
 *  3. stream length: a wrong code for users with 10 events against a user
 *     whose stream the service grew to 10,000 events, calls interleaved; each
 *     short user is measured once, so it has exactly 10 events when measured.
 *
 * Then 3. again in-process (the MfaModule on the in-process transport, no
 * Kafka), where the load is a larger share of the call, next to what loading
 * the long stream costs with and without its snapshot.
 *
 * Run: `npm run bench -- mfa-verify`, or after `npm run build`:
 *   node dist/bench/mfa-verify.bench.js [successUsers] [longStreamEvents]
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { NestFactory } from '@nestjs/core';
import type { z } from 'zod';
import { DomainError, MfaRpc, type RequestOf, type Rpc } from '#contracts';
import { loadConfig } from '#config';
import { AggregateRepository, EVENT_STORE, type EventStore } from '#event-store';
import { InProcessBus, InProcessClient, InProcessServer, sealingRecipientsOf, ServiceClient } from '#messaging';
import { mfaEnrollmentDecider } from '../apps/mfa/src/mfa-enrollment/mfa-enrollment.decider.js';
import { mfaStreamName } from '../apps/mfa/src/mfa-enrollment/mfa-enrollment.events.js';
import { MfaEnrollmentRepository } from '../apps/mfa/src/mfa-enrollment/mfa-enrollment.repository.js';
import { mfaEnrollmentCodec } from '../apps/mfa/src/mfa-enrollment/mfa-enrollment.codec.js';
import { MfaModule } from '../apps/mfa/src/mfa.module.js';
import { generateEncryptionKey } from '../apps/mfa/src/totp/secret-cipher.js';
import { codeForStep, timeStep } from '../apps/mfa/src/totp/totp.js';
import { formatLoad, quantile, runLoad, type LoadFigures } from './lib/load.js';
import { acquireKafkaBroker, connectCaller, spawnApp, waitUntilAnswering } from '#testing';

const SUCCESS_USERS = Number(process.argv[2] ?? 2000);
const LONG_STREAM_EVENTS = Number(process.argv[3] ?? 10_000);
const FAILURES = 2000;
const FAILURE_USERS = 64;
const SHORT_SAMPLES = 300;
const SHORT_STREAM_EVENTS = 10;
const CONTEXT = { ip: '203.0.113.7', userAgent: 'bench' };
const LOCK_OUT_OFF = {
  MFA_MAX_FAILED_ATTEMPTS: '1000000000',
  MFA_LOCKOUT_SECONDS: '1',
  MFA_PERMANENT_LOCK_AFTER: '1000000000',
};

type Call = <R extends Rpc>(rpc: R, payload: RequestOf<R>) => Promise<z.output<R['response']>>;

const code = (secret: string, step: number) => codeForStep({ secret, step, algorithm: 'SHA1', digits: 6 });
const stepNow = () => timeStep(new Date(), 30);

/** Never type a code in the last moments of a step: the service might already be in the next. */
async function awayFromStepEnd(marginMs = 1500): Promise<void> {
  const left = 30_000 - (Date.now() % 30_000);
  if (left < marginMs) await sleep(left + 20);
}

async function activeUser(call: Call, userId: string): Promise<string> {
  const { secret } = await call(MfaRpc.startEnrollment, { userId, label: `${userId}@bench.example` });
  await awayFromStepEnd();
  const step = stepNow();
  await call(MfaRpc.activate, { userId, code1: code(secret, step - 1), code2: code(secret, step) });
  return secret;
}

async function activeUsers(call: Call, prefix: string, count: number): Promise<string[]> {
  const secrets: string[] = [];
  await runLoad(count, 32, async (index) => {
    secrets[index] = await activeUser(call, `${prefix}-${index}`);
  });
  return secrets;
}

/** A wrong code: answered invalid_code, anything else stops the benchmark. */
async function failOnce(call: Call, userId: string): Promise<void> {
  try {
    await call(MfaRpc.verifyChallenge, { userId, code: '000000', context: CONTEXT, challengeId: randomUUID() });
  } catch (error) {
    if (error instanceof DomainError && error.code === 'invalid_code') return;
    throw error;
  }
  throw new Error(`000000 was accepted for ${userId}; pick another wrong code`);
}

const successPath = (call: Call, prefix: string, secrets: readonly string[]) => async (index: number) => {
  // One step ahead of the activation's, whatever step it is now: accepted once, within the drift window.
  await call(MfaRpc.verifyChallenge, {
    userId: `${prefix}-${index}`,
    code: code(secrets[index]!, stepNow() + 1),
    context: CONTEXT,
    challengeId: randomUUID(),
  });
};

interface StreamLengthFigures {
  readonly short: LoadFigures & { meanMs: number };
  readonly long: LoadFigures & { meanMs: number };
}

/** Wrong codes for SHORT_SAMPLES users of 10 events each and for the long user, interleaved, one at a time. */
async function streamLength(call: Call, shortPrefix: string, longUser: string): Promise<StreamLengthFigures> {
  const latencies = { short: [] as number[], long: [] as number[] };
  for (let index = 0; index < SHORT_SAMPLES; index += 1) {
    for (const [kind, userId] of [
      ['short', `${shortPrefix}-${index}`],
      ['long', longUser],
    ] as const) {
      const started = performance.now();
      await failOnce(call, userId);
      latencies[kind].push(performance.now() - started);
    }
  }
  const figures = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const total = values.reduce((sum, value) => sum + value, 0);
    return {
      total: values.length,
      concurrency: 1,
      p50Ms: quantile(sorted, 0.5),
      p99Ms: quantile(sorted, 0.99),
      perSecond: (values.length / total) * 1000,
      meanMs: total / values.length,
    };
  };
  return { short: figures(latencies.short), long: figures(latencies.long) };
}

async function prepareStreams(call: Call, shortPrefix: string, longUser: string): Promise<void> {
  await activeUsers(call, shortPrefix, SHORT_SAMPLES);
  await runLoad(SHORT_SAMPLES * (SHORT_STREAM_EVENTS - 2), 32, (index) =>
    failOnce(call, `${shortPrefix}-${index % SHORT_SAMPLES}`),
  );
  await activeUser(call, longUser);
  // One user's stream: a few requests in flight, as a user under a guessing attack would see.
  await runLoad(LONG_STREAM_EVENTS - 2, 4, () => failOnce(call, longUser));
}

function printStreamLength(label: string, { short, long }: StreamLengthFigures): void {
  console.info(formatLoad(`${label}, ${SHORT_STREAM_EVENTS} events`, short));
  console.info(formatLoad(`${label}, ${LONG_STREAM_EVENTS} events`, long));
  console.info(
    `${label}: ${LONG_STREAM_EVENTS} vs ${SHORT_STREAM_EVENTS} events: p50 x${(long.p50Ms / short.p50Ms).toFixed(2)}, ` +
      `mean x${(long.meanMs / short.meanMs).toFixed(2)} (must stay within x1.20)`,
  );
}

// ---- over Kafka: the service as its own process ------------------------------------------

const broker = await acquireKafkaBroker();
const dataDir = mkdtempSync(join(tmpdir(), 'mfa-verify-bench-'));
const mfa = spawnApp('mfa', {
  ...broker.clients.mfa,
  DATA_DIR: dataDir,
  MFA_ENCRYPTION_KEY: generateEncryptionKey(),
  ...LOCK_OUT_OFF,
});
const caller = await connectCaller(broker.clients.gateway, 'gateway-bench-mfa-verify', 30_000, dataDir);
try {
  const { services } = caller;
  const call: Call = (rpc, payload) => services.call(rpc, payload);
  await waitUntilAnswering(() => call(MfaRpc.checkHealth, {}), 90_000);
  console.info(
    `mfa.verify-challenge over Kafka (${broker.source} broker ${broker.brokers}), the service as its own process`,
  );

  console.info(`  enrolling and activating ${SUCCESS_USERS + 500 + FAILURE_USERS} users...`);
  const sequential = await activeUsers(call, 'seq', 500);
  const concurrent = await activeUsers(call, 'con', SUCCESS_USERS);
  await activeUsers(call, 'fail', FAILURE_USERS);
  await runLoad(100, 8, (index) => failOnce(call, `fail-${index % FAILURE_USERS}`)); // warm-up

  console.info(
    formatLoad('right code (one per user), sequential', await runLoad(500, 1, successPath(call, 'seq', sequential))),
  );
  console.info(
    formatLoad(
      'right code (one per user), concurrent',
      await runLoad(SUCCESS_USERS, 32, successPath(call, 'con', concurrent)),
    ),
  );
  const failing = (index: number) => failOnce(call, `fail-${index % FAILURE_USERS}`);
  console.info(formatLoad(`wrong code (${FAILURE_USERS} users), sequential`, await runLoad(FAILURES, 1, failing)));
  console.info(formatLoad(`wrong code (${FAILURE_USERS} users), concurrent`, await runLoad(FAILURES, 32, failing)));

  console.info(`  growing one stream to ${LONG_STREAM_EVENTS} events through the service...`);
  const started = performance.now();
  await prepareStreams(call, 'short', 'long');
  console.info(`  (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  printStreamLength('wrong code over Kafka', await streamLength(call, 'short', 'long'));
} finally {
  await caller.close();
  await mfa.stop();
  rmSync(dataDir, { recursive: true, force: true });
  await broker.release();
}

// ---- in-process: the same module without Kafka ---------------------------------------------

const localDir = mkdtempSync(join(tmpdir(), 'mfa-verify-bench-local-'));
const config = loadConfig('mfa', { DATA_DIR: localDir, MFA_ENCRYPTION_KEY: generateEncryptionKey(), ...LOCK_OUT_OFF });
const bus = new InProcessBus();
const app = await NestFactory.createMicroservice(MfaModule.register(config), {
  strategy: new InProcessServer(bus),
  logger: ['error'],
});
await app.listen();
try {
  // Framed, sealed and checked as the gateway does it, over the module's own bus.
  const services = new ServiceClient(new InProcessClient(bus), 30_000, sealingRecipientsOf({ DATA_DIR: localDir }));
  const call: Call = (rpc, payload) => services.call(rpc, payload);
  console.info('\nthe same, in-process (MfaModule on the in-process transport, no Kafka)');
  await prepareStreams(call, 'short', 'long');
  printStreamLength('wrong code in-process', await streamLength(call, 'short', 'long'));

  // What the snapshot saves: loading the long stream with it (the service's way) and by replaying every event.
  const store = app.get<EventStore>(EVENT_STORE);
  const withSnapshot = app.get(MfaEnrollmentRepository);
  const decider = mfaEnrollmentDecider();
  const replayOnly = new AggregateRepository(store, { decider, codec: mfaEnrollmentCodec });
  const timeLoads = async (load: () => Promise<unknown>, times: number) => {
    for (let i = 0; i < 5; i += 1) await load();
    const t0 = performance.now();
    for (let i = 0; i < times; i += 1) await load();
    return (performance.now() - t0) / times;
  };
  const events = (await store.read(mfaStreamName('long'))).length;
  const snapshotMs = await timeLoads(() => withSnapshot.load(mfaStreamName('long')), 500);
  const replayMs = await timeLoads(() => replayOnly.load(mfaStreamName('long')), 20);
  console.info(
    `loading the ${events}-event stream: from its snapshot ${snapshotMs.toFixed(3)} ms, ` +
      `replaying every event ${replayMs.toFixed(1)} ms (x${(replayMs / snapshotMs).toFixed(0)})`,
  );
} finally {
  await app.close();
  rmSync(localDir, { recursive: true, force: true });
}
