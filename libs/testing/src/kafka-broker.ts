import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type KafkaBrokerSource = 'env' | 'testcontainers' | 'local';

export interface KafkaBroker {
  /** Comma-separated `host:port` list, the same shape as `KAFKA_BROKERS`. */
  readonly brokers: string;
  readonly source: KafkaBrokerSource;
  /** Stops what this call started; a broker that was already there is left running. */
  release(): Promise<void>;
}

export interface AcquireKafkaBrokerOptions {
  /** Defaults to `process.env`; read for KAFKA_BROKERS, KAFKA_PORT and KAFKA_TESTCONTAINERS_IMAGE. */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Same broker generation as the pinned local one (scripts/kafka/pom.xml): Confluent
 * Platform 8.x ships Apache Kafka 4.x. @testcontainers/kafka only drives cp-kafka images.
 */
const DEFAULT_KAFKA_IMAGE = 'confluentinc/cp-kafka:8.0.0';
const CONTAINER_KAFKA_PORT = 9093;
const DOCKER_PROBE_TIMEOUT_MS = 5_000;
const LOCAL_SCRIPT = join('scripts', 'kafka-local.sh');

/**
 * Finds a Kafka broker for integration tests, in this order:
 * 1. `KAFKA_BROKERS` (e.g. CI ran `scripts/kafka-local.sh start` before the tests);
 * 2. a reachable Docker engine: a Testcontainers Kafka container;
 * 3. the repo-owned local broker (`scripts/kafka-local.sh`), reused if already running.
 * Never skips: throws with the reason of each step when none yields a broker.
 */
export async function acquireKafkaBroker(options: AcquireKafkaBrokerOptions = {}): Promise<KafkaBroker> {
  const env = options.env ?? process.env;

  const fromEnv = env['KAFKA_BROKERS']?.trim();
  if (fromEnv) {
    return { brokers: fromEnv, source: 'env', release: async () => {} };
  }

  const docker = await probeDocker();
  if (docker.reachable) {
    return startKafkaContainer(env['KAFKA_TESTCONTAINERS_IMAGE'] ?? DEFAULT_KAFKA_IMAGE);
  }

  try {
    return await useLocalBroker(env);
  } catch (error) {
    throw new Error(
      'No Kafka broker for the integration tests. KAFKA_BROKERS is unset; ' +
        `no Docker engine is reachable (${docker.reason}); ` +
        `and the local broker did not start: ${messageOf(error)}\n` +
        'Fix one of them, e.g. run `scripts/kafka-local.sh start` (needs Java 17+ and Maven once) ' +
        'and set KAFKA_BROKERS=127.0.0.1:9092.',
    );
  }
}

type DockerProbe = { reachable: true } | { reachable: false; reason: string };

async function probeDocker(): Promise<DockerProbe> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${DOCKER_PROBE_TIMEOUT_MS} ms`)),
        DOCKER_PROBE_TIMEOUT_MS,
      );
    });
    await Promise.race([getContainerRuntimeClient(), timeout]);
    return { reachable: true };
  } catch (error) {
    return { reachable: false, reason: messageOf(error) };
  } finally {
    clearTimeout(timer);
  }
}

async function startKafkaContainer(image: string): Promise<KafkaBroker> {
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const started = await new KafkaContainer(image).start().catch((error: unknown) => {
    throw new Error(
      `A Docker engine is reachable but the Kafka container (${image}) did not start: ${messageOf(error)}. ` +
        'Set KAFKA_BROKERS to use another broker (e.g. `scripts/kafka-local.sh start`, then KAFKA_BROKERS=127.0.0.1:9092), ' +
        'or KAFKA_TESTCONTAINERS_IMAGE to use another cp-kafka image.',
    );
  });
  return {
    brokers: `${started.getHost()}:${started.getMappedPort(CONTAINER_KAFKA_PORT)}`,
    source: 'testcontainers',
    release: once(async () => {
      await started.stop();
    }),
  };
}

async function useLocalBroker(env: NodeJS.ProcessEnv): Promise<KafkaBroker> {
  const script = join(findRepoRoot(), LOCAL_SCRIPT);
  const brokers = `127.0.0.1:${env['KAFKA_PORT'] ?? '9092'}`;

  // `start` is idempotent and serialised by a lock; it says "already running" when the
  // broker was up before (a developer's, or another run's), which this run must leave alone.
  const start = await runScript(script, 'start', env);
  if (start.code !== 0) {
    throw new Error(`\`${LOCAL_SCRIPT} start\` exited with ${start.code}:\n${start.output.trim()}`);
  }
  if (start.output.includes('already running')) {
    return { brokers, source: 'local', release: async () => {} };
  }
  return {
    brokers,
    source: 'local',
    release: once(async () => {
      const stop = await runScript(script, 'stop', env);
      if (stop.code !== 0) {
        throw new Error(`\`${LOCAL_SCRIPT} stop\` exited with ${stop.code}:\n${stop.output.trim()}`);
      }
    }),
  };
}

interface ScriptResult {
  readonly code: number;
  readonly output: string;
}

function runScript(script: string, command: string, env: NodeJS.ProcessEnv): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(script, [command], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const append = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
    };
    child.stdout.on('data', append);
    child.stderr.on('data', append);
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), output }));
  });
}

/** The repository root, found from this file both as source (libs/testing/src) and as build output (dist/...). */
function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, LOCAL_SCRIPT))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`${LOCAL_SCRIPT} not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

function once(action: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= action());
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
