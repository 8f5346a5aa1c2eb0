/**
 * `npm run bench`: every benchmark in turn, each in its own process, those on
 * Kafka sharing one broker (`acquireKafkaBroker`: KAFKA_CLIENTS_DIR, KAFKA_BROKERS, or the repo's own).
 * Pass names to run only some: `npm run bench -- login kafka-rpc`.
 *
 * Sized to finish in about five minutes on a 2-core machine; each benchmark's
 * size can be set by its environment variable (BENCH_LOGIN_USERS,
 * BENCH_RPC_CALLS, BENCH_STORE_EVENTS, …) or, for the others, by its arguments
 * in BENCH_ARGS_<NAME> (e.g. BENCH_ARGS_VERIFY="1000000" for the full million).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { acquireKafkaBroker } from '#testing';

/** Each benchmark with the arguments `npm run bench` gives it (its own defaults are larger, for runs of one). */
const BENCHMARKS: Record<string, readonly string[]> = {
  'event-store': [],
  argon2: [],
  'mfa-verify-cost': ['5000'],
  'reply-validation': [],
  sealing: [],
  'kafka-rpc': [],
  'mfa-verify': ['200', '1000'],
  login: [],
  notifications: ['200'],
  verify: ['200000'],
};
/** The others measure in-process: a run of only those needs no broker. */
const ON_KAFKA = new Set(['kafka-rpc', 'mfa-verify', 'login', 'notifications']);
const selected = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(BENCHMARKS);

const argsOf = (name: string): readonly string[] => {
  const fromEnv = process.env[`BENCH_ARGS_${name.toUpperCase().replaceAll('-', '_')}`];
  return fromEnv !== undefined ? fromEnv.split(/\s+/).filter(Boolean) : (BENCHMARKS[name] ?? []);
};

const broker = selected.some((name) => ON_KAFKA.has(name)) ? await acquireKafkaBroker() : undefined;
let failed = 0;
const started = performance.now();
try {
  for (const name of selected) {
    const script = join(import.meta.dirname, `${name}.bench.js`);
    if (!existsSync(script)) {
      console.error(`no benchmark ${name}`);
      failed++;
      continue;
    }
    const args = argsOf(name);
    console.info(`\n=== ${name}${args.length > 0 ? ` ${args.join(' ')}` : ''}`);
    const benchStarted = performance.now();
    const { status } = spawnSync(process.execPath, [script, ...args], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, ...broker?.env },
    });
    console.info(`(${name}: ${((performance.now() - benchStarted) / 1000).toFixed(0)} s)`);
    if (status !== 0) failed++;
  }
} finally {
  await broker?.release();
}
console.info(`\nall benchmarks: ${((performance.now() - started) / 1000).toFixed(0)} s`);
process.exitCode = failed > 0 ? 1 : 0;
