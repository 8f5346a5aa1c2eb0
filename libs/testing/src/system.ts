import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnApp, type AppProcess } from './app-process.js';
import type { KafkaClients } from './kafka-broker.js';

const APPS = ['identity', 'mfa', 'policy', 'gateway'] as const;

export type SystemMode = 'embedded' | 'distributed';

export interface RunningSystem {
  /** The (first) gateway's. */
  readonly baseUrl: string;
  /** Every gateway's, one per instance. */
  readonly baseUrls: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly dataDir: string;
  /**
   * Every process, instance by instance (each instance's identity, mfa, policy,
   * then gateway): for fault tests that kill one of them (`kill()`, SIGKILL).
   */
  readonly processes: readonly AppProcess[];
  /**
   * Each process's management listener (`/metrics`, `/health/live`,
   * `/health/ready`, on its own HTTP_PORT), in the order of `processes`.
   */
  readonly managementUrls: readonly string[];
  /** The management listener of the `instance`th process of `app` (`standalone` in embedded mode). */
  managementUrlOf(app: string, instance?: number): string;
  /** Everything the processes wrote to stdout and stderr so far (for leak checks). */
  logs(): string;
  /** Stops the processes (SIGTERM, then SIGKILL after 10 s); keeps DATA_DIR unless `removeData`. */
  stop(options?: { removeData?: boolean }): Promise<void>;
}

export interface StartSystemOptions {
  readonly mode: SystemMode;
  /** Required for `distributed`: each app connects as its own principal (the gateway as `gateway`, ...). */
  readonly kafka?: KafkaClients;
  /** Reuse a DATA_DIR (e.g. to test a restart). */
  readonly dataDir?: string;
  readonly env?: Record<string, string>;
  readonly readyTimeoutMs?: number;
  /**
   * `distributed` only: processes of each app (default 1). They share DATA_DIR
   * (the development keys) and, with `EVENTSTORE_URL` in `env`, one networked
   * store; each gateway listens on a port of its own.
   */
  readonly instances?: number;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * Starts the whole system from the compiled `dist/` (run `npm run build`
 * first; `npm test` does): one process in `embedded` mode, or the four apps as
 * separate processes on Kafka in `distributed` mode. Resolves once the
 * gateway's `/health` reports every service up.
 */
export async function startSystem(options: StartSystemOptions): Promise<RunningSystem> {
  const instances = options.mode === 'distributed' ? (options.instances ?? 1) : 1;
  const ports = await Promise.all(Array.from({ length: instances }, () => freePort()));
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'totp-mfa-'));
  const env: Record<string, string> = {
    PORT: String(ports[0]),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    ...options.env,
  };
  const kafka = options.mode === 'distributed' ? requireKafka(options.kafka) : undefined;
  const apps: { app: string; env: Record<string, string> }[] =
    kafka === undefined
      ? [{ app: 'standalone', env: { ...NO_KAFKA_LOGIN, ...env } }]
      : ports.flatMap((port) =>
          APPS.map((app) => ({ app, env: { ...NO_KAFKA_LOGIN, ...kafka[app], ...env, PORT: String(port) } })),
        );
  const managementPorts = await Promise.all(apps.map(() => freePort()));
  const processes = apps.map(({ app, env: appEnv }, index) =>
    spawnApp(app, { ...appEnv, HTTP_PORT: String(managementPorts[index]) }),
  );
  const managementUrls = managementPorts.map((port) => `http://127.0.0.1:${port}`);
  const output = () => processes.map((child) => prefixed(child.app, child.logs())).join('');
  const baseUrls = ports.map((port) => `http://127.0.0.1:${port}`);
  const system: RunningSystem = {
    baseUrl: baseUrls[0]!,
    baseUrls,
    env,
    dataDir,
    processes,
    managementUrls,
    managementUrlOf: (app, instance = 0) => {
      const index = processes.map((child, at) => (child.app === app ? at : -1)).filter((at) => at >= 0)[instance];
      if (index === undefined) throw new Error(`no process ${instance} of ${app} in this system`);
      return managementUrls[index]!;
    },
    logs: output,
    stop: async ({ removeData = false } = {}) => {
      await Promise.all(processes.map((child) => child.stop()));
      if (removeData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  try {
    for (const baseUrl of baseUrls) await waitUntilHealthy(baseUrl, processes, options.readyTimeoutMs ?? 60_000);
  } catch (error) {
    await system.stop();
    throw new Error(`${(error as Error).message}\n--- process output ---\n${output().slice(-4000)}`);
  }
  return system;
}

function requireKafka(kafka: KafkaClients | undefined): KafkaClients {
  if (!kafka) throw new Error('distributed mode needs the Kafka clients (`inject("kafkaClients")`)');
  return kafka;
}

/** Empty (unset) unless the app's principal sets them: a login exported in the test's shell must not leak in. */
const NO_KAFKA_LOGIN = {
  KAFKA_SSL_CA_FILE: '',
  KAFKA_SASL_MECHANISM: '',
  KAFKA_SASL_USERNAME: '',
  KAFKA_SASL_PASSWORD: '',
  KAFKA_SASL_PASSWORD_FILE: '',
};

async function waitUntilHealthy(baseUrl: string, processes: AppProcess[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const exited = processes.find((child) => child.exitCode() !== null);
    if (exited) throw new Error(`${exited.app} exited with code ${exited.exitCode()} before the system was healthy`);
    try {
      const response = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(5000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 250));
  }
  throw new Error(`system not healthy within ${timeoutMs} ms`);
}

const prefixed = (app: string, text: string): string =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => `[${app}] ${line}\n`)
    .join('');
