import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import { startKafkaImage } from './kafka-image-broker.js';

export type KafkaBrokerSource = 'env' | 'testcontainers' | 'local';

/** The principals of the repo's secured broker (scripts/kafka-local.sh, scripts/kafka/acls.mjs). */
export const KAFKA_PRINCIPALS = [
  'admin',
  'gateway',
  'identity',
  'mfa',
  'policy',
  'notifications',
  'subscriber',
] as const;
export type KafkaPrincipal = (typeof KAFKA_PRINCIPALS)[number];

/** The KAFKA_* variables that connect a process as one principal (README, Configuration). */
export type KafkaClientEnv = Readonly<Record<string, string>>;
/**
 * Per principal; on a plaintext broker each holds KAFKA_BROKERS only. Plain data: vitest can `provide` it.
 * `ops` (the ops CLI's principal) is there when the clients folder has it: a broker started before the
 * principal existed gets it from `scripts/kafka-local.sh grant`, and the specs that need it say so.
 */
export type KafkaClients = Readonly<Record<KafkaPrincipal, KafkaClientEnv>> & { readonly ops?: KafkaClientEnv };

export interface KafkaBroker {
  /** Comma-separated `host:port` list, the same shape as `KAFKA_BROKERS`. */
  readonly brokers: string;
  readonly source: KafkaBrokerSource;
  /** TLS and a SCRAM login per principal, with ACLs; false for a plaintext development broker. */
  readonly secured: boolean;
  readonly clients: KafkaClients;
  /** The broker's log directory when it is the repo's own broker on this machine, else null. */
  readonly dataDir: string | null;
  /** What makes `acquireKafkaBroker` in another process (a benchmark) find this same broker. */
  readonly env: Readonly<Record<string, string>>;
  /** Stops what this call started; a broker that was already there is left running. */
  release(): Promise<void>;
}

export interface AcquireKafkaBrokerOptions {
  /**
   * Defaults to `process.env`; read for KAFKA_CLIENTS_DIR, KAFKA_BROKERS, KAFKA_TESTCONTAINERS,
   * KAFKA_TESTCONTAINERS_IMAGE and what scripts/kafka-local.sh reads (KAFKA_PORT, KAFKA_SECURITY, ...).
   */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Same broker generation as the pinned local one (scripts/kafka/pom.xml): Confluent
 * Platform 8.x ships Apache Kafka 4.x. @testcontainers/kafka only drives cp-kafka images.
 */
const DEFAULT_KAFKA_IMAGE = 'confluentinc/cp-kafka:8.0.0';
const CONTAINER_KAFKA_PORT = 9093;
/** scripts/docker-images.sh's Kafka image (docker/kafka): `totp-mfa-kafka:local` unless KAFKA_IMAGE renamed it. */
const OWN_KAFKA_IMAGE = 'totp-mfa-kafka';
const LOCAL_SCRIPT = join('scripts', 'kafka-local.sh');

/**
 * Finds a Kafka broker for integration tests, in this order:
 * 1. `KAFKA_CLIENTS_DIR`: the client settings `scripts/kafka-local.sh start` wrote
 *    (`.cache/kafka/clients`), e.g. CI started the secured broker before the tests;
 * 2. `KAFKA_BROKERS`: a plaintext development broker;
 * 3. `KAFKA_TESTCONTAINERS=1`: a Testcontainers Kafka (plaintext); never chosen just
 *    because a Docker engine answers, since its image may not be reachable; with
 *    KAFKA_TESTCONTAINERS_IMAGE=totp-mfa-kafka:local, the repo's own image, secured;
 * 4. the repo-owned local broker (`scripts/kafka-local.sh`, secured unless
 *    KAFKA_SECURITY=plaintext), reused if already running.
 * Never skips: throws with the reason when none yields a broker.
 */
export async function acquireKafkaBroker(options: AcquireKafkaBrokerOptions = {}): Promise<KafkaBroker> {
  const env = options.env ?? process.env;

  const clientsDir = env['KAFKA_CLIENTS_DIR']?.trim();
  if (clientsDir) return brokerFromClientsDir(resolve(clientsDir), 'env', async () => {});

  const fromEnv = env['KAFKA_BROKERS']?.trim();
  if (fromEnv) return plaintextBroker(fromEnv, 'env', async () => {});

  if (['1', 'true', 'yes'].includes(env['KAFKA_TESTCONTAINERS']?.trim() ?? '')) {
    const image = env['KAFKA_TESTCONTAINERS_IMAGE'] ?? DEFAULT_KAFKA_IMAGE;
    // The repo's own image (scripts/docker-images.sh): secured like the local broker, built here, never pulled.
    if (image.startsWith(OWN_KAFKA_IMAGE)) {
      return startKafkaImage(image, findRepoRoot(), (dir, release) =>
        brokerFromClientsDir(dir, 'testcontainers', release),
      );
    }
    return startKafkaContainer(image);
  }

  try {
    return await useLocalBroker(env);
  } catch (error) {
    throw new Error(
      'No Kafka broker for the integration tests. KAFKA_CLIENTS_DIR, KAFKA_BROKERS and KAFKA_TESTCONTAINERS ' +
        `are unset, and the local broker did not start: ${messageOf(error)}\n` +
        'Fix one of them, e.g. run `scripts/kafka-local.sh start` (needs Java 17+ and Maven once) ' +
        'and set KAFKA_CLIENTS_DIR=.cache/kafka/clients.',
    );
  }
}

function plaintextBroker(brokers: string, source: KafkaBrokerSource, release: () => Promise<void>): KafkaBroker {
  const env = { KAFKA_BROKERS: brokers };
  const clients = { ...perPrincipal(() => env), ops: env };
  return { brokers, source, secured: false, clients, dataDir: null, env, release };
}

/** Reads `<principal>.env` for every principal, as `scripts/kafka-local.sh start` wrote them. */
function brokerFromClientsDir(dir: string, source: KafkaBrokerSource, release: () => Promise<void>): KafkaBroker {
  const clients = perPrincipal((principal) => {
    const file = join(dir, `${principal}.env`);
    if (!existsSync(file)) {
      throw new Error(
        `${file} not found: KAFKA_CLIENTS_DIR must name the clients folder scripts/kafka-local.sh writes`,
      );
    }
    return definedValues(parseEnv(readFileSync(file, 'utf8')));
  });
  const opsFile = join(dir, 'ops.env');
  const ops = existsSync(opsFile) ? { ops: definedValues(parseEnv(readFileSync(opsFile, 'utf8'))) } : {};
  const brokers = clients.admin['KAFKA_BROKERS'];
  if (!brokers) throw new Error(`${join(dir, 'admin.env')} names no KAFKA_BROKERS`);
  const secured = clients.admin['KAFKA_SASL_USERNAME'] !== undefined;
  // scripts/kafka-local.sh keeps the clients folder beside the broker's data.
  const dataDir = existsSync(join(dir, '..', 'data')) ? resolve(dir, '..', 'data') : null;
  return {
    brokers,
    source,
    secured,
    clients: { ...clients, ...ops },
    dataDir,
    env: { KAFKA_CLIENTS_DIR: dir },
    release,
  };
}

function perPrincipal(envOf: (principal: KafkaPrincipal) => KafkaClientEnv): KafkaClients {
  return Object.fromEntries(KAFKA_PRINCIPALS.map((principal) => [principal, envOf(principal)])) as Record<
    KafkaPrincipal,
    KafkaClientEnv
  >;
}

function definedValues(parsed: NodeJS.Dict<string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(parsed).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

async function startKafkaContainer(image: string): Promise<KafkaBroker> {
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const started = await new KafkaContainer(image).start().catch((error: unknown) => {
    throw new Error(
      `KAFKA_TESTCONTAINERS is set but the Kafka container (${image}) did not start: ${messageOf(error)}. ` +
        'Unset it to use the repo-owned broker (scripts/kafka-local.sh), ' +
        'or set KAFKA_TESTCONTAINERS_IMAGE to use another cp-kafka image.',
    );
  });
  return plaintextBroker(
    `${started.getHost()}:${started.getMappedPort(CONTAINER_KAFKA_PORT)}`,
    'testcontainers',
    once(async () => {
      await started.stop();
    }),
  );
}

async function useLocalBroker(env: NodeJS.ProcessEnv): Promise<KafkaBroker> {
  const root = findRepoRoot();
  const script = join(root, LOCAL_SCRIPT);
  const clientsDir = join(resolve(env['KAFKA_CACHE_DIR'] ?? join(root, '.cache', 'kafka')), 'clients');

  // `start` is idempotent and serialised by a lock; it says "already running" when the
  // broker was up before (a developer's, or another run's), which this run must leave alone.
  const start = await runScript(script, 'start', env);
  if (start.code !== 0) {
    throw new Error(`\`${LOCAL_SCRIPT} start\` exited with ${start.code}:\n${start.output.trim()}`);
  }
  if (start.output.includes('already running')) return brokerFromClientsDir(clientsDir, 'local', async () => {});
  return brokerFromClientsDir(
    clientsDir,
    'local',
    once(async () => {
      const stop = await runScript(script, 'stop', env);
      if (stop.code !== 0) {
        throw new Error(`\`${LOCAL_SCRIPT} stop\` exited with ${stop.code}:\n${stop.output.trim()}`);
      }
    }),
  );
}

export interface OwnKafkaBrokerOptions {
  /** The broker's own cache (data, logs, clients, pid): `.cache/kafka-fault`. */
  readonly cacheDir: string;
  readonly port: number;
  readonly controllerPort: number;
  /** Defaults to `process.env`, without what points at another broker (KAFKA_CLIENTS_DIR, KAFKA_BROKERS). */
  readonly env?: NodeJS.ProcessEnv;
}

/** A broker of the test's own, which it may stop and start again at will. */
export interface OwnKafkaBroker extends KafkaBroker {
  /** `scripts/kafka-local.sh start`: resolves once the broker answers again (same data, same logins). */
  start(): Promise<void>;
  /** `scripts/kafka-local.sh stop`: SIGTERM, the broker's controlled shutdown. */
  stop(): Promise<void>;
}

/**
 * The repo's secured broker (scripts/kafka-local.sh) in a cache and on ports of
 * its own, for tests that stop it: never the broker other suites share. It
 * reuses the broker jars the shared cache already fetched (KAFKA_JARS_DIR).
 * `release` stops it, whoever started it: the cache is this test's alone.
 */
export async function startOwnKafkaBroker(options: OwnKafkaBrokerOptions): Promise<OwnKafkaBroker> {
  const root = findRepoRoot();
  const script = join(root, LOCAL_SCRIPT);
  const {
    KAFKA_CLIENTS_DIR: _otherBrokersClients,
    KAFKA_BROKERS: _otherBrokers,
    ...inherited
  } = options.env ?? process.env;
  const cacheDir = resolve(root, options.cacheDir);
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    KAFKA_CACHE_DIR: cacheDir,
    KAFKA_JARS_DIR: resolve(
      root,
      inherited['KAFKA_JARS_DIR'] ?? inherited['KAFKA_CACHE_DIR'] ?? join('.cache', 'kafka'),
    ),
    KAFKA_PORT: String(options.port),
    KAFKA_CONTROLLER_PORT: String(options.controllerPort),
  };
  const run = async (command: 'start' | 'stop'): Promise<void> => {
    const result = await runScript(script, command, env);
    if (result.code !== 0) {
      throw new Error(`\`${LOCAL_SCRIPT} ${command}\` exited with ${result.code}:\n${result.output.trim()}`);
    }
  };
  await run('start');
  const broker = brokerFromClientsDir(
    join(cacheDir, 'clients'),
    'local',
    once(() => run('stop')),
  );
  return { ...broker, start: () => run('start'), stop: () => run('stop') };
}

interface ScriptResult {
  readonly code: number;
  readonly output: string;
}

function runScript(script: string, command: string, env: NodeJS.ProcessEnv): Promise<ScriptResult> {
  return new Promise((resolveResult, reject) => {
    const child = spawn(script, [command], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const append = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
    };
    child.stdout.on('data', append);
    child.stderr.on('data', append);
    child.on('error', reject);
    child.on('close', (code, signal) => resolveResult({ code: code ?? (signal ? 128 : 1), output }));
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
