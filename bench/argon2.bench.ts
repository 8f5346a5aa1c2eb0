/**
 * Which argon2 binding the identity service uses is decided by this measurement:
 * `@node-rs/argon2` (Rust, N-API) against `argon2` (C reference implementation,
 * node-addon-api), both at the production parameters (argon2id, m=19456 KiB,
 * t=2, p=1).
 *
 * It reports, per package:
 *  - sequential hash and verify latency (mean, p50, p95, min, max);
 *  - event-loop delay while one async verify runs, against `verifySync`, to show
 *    whether the async call leaves the main thread free (it should run on the
 *    libuv thread pool);
 *  - throughput with 16 verifies in flight (verifies/s).
 *
 * Run (Node 20 does not strip types, so compile first):
 *   npx swc bench/argon2.bench.ts -o dist/bench/argon2.bench.js --config-file .swcrc \
 *     && node dist/bench/argon2.bench.js [iterations]
 * `UV_THREADPOOL_SIZE` (default 4) bounds how many verifies run at once.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { availableParallelism } from 'node:os';
import * as nodeRs from '@node-rs/argon2';
import * as reference from 'argon2';
import { quantile } from './lib/load.js';

const MEMORY_COST_KIB = 19_456;
const TIME_COST = 2;
const PARALLELISM = 1;
const CONCURRENCY = 16;
/** `Algorithm.Argon2id`; the binding's enum is an ambient const enum, unusable under isolatedModules. */
const NODE_RS_ARGON2ID = 2;

const PASSWORD = 'correct horse battery staple';
const WRONG_PASSWORD = 'correct horse battery stapler';

interface Binding {
  readonly name: string;
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  verifySync?(hash: string, password: string): boolean;
}

const bindings: readonly Binding[] = [
  {
    name: '@node-rs/argon2',
    hash: (password) =>
      nodeRs.hash(password, {
        algorithm: NODE_RS_ARGON2ID,
        memoryCost: MEMORY_COST_KIB,
        timeCost: TIME_COST,
        parallelism: PARALLELISM,
      }),
    verify: (hash, password) => nodeRs.verify(hash, password),
    verifySync: (hash, password) => nodeRs.verifySync(hash, password),
  },
  {
    name: 'argon2',
    hash: (password) =>
      reference.hash(password, {
        type: reference.argon2id,
        memoryCost: MEMORY_COST_KIB,
        timeCost: TIME_COST,
        parallelism: PARALLELISM,
      }),
    verify: (hash, password) => reference.verify(hash, password),
  },
];

interface Stats {
  readonly mean: number;
  readonly p50: number;
  readonly p95: number;
  readonly min: number;
  readonly max: number;
}

function stats(samples: readonly number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    mean: sorted.reduce((sum, x) => sum + x, 0) / sorted.length,
    p50: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    min: sorted[0] ?? NaN,
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

const ms = (x: number): string => `${x.toFixed(2)} ms`;
const line = (label: string, s: Stats): string =>
  `  ${label.padEnd(22)} mean ${ms(s.mean)}  p50 ${ms(s.p50)}  p95 ${ms(s.p95)}  min ${ms(s.min)}  max ${ms(s.max)}`;

async function timeEach(iterations: number, run: () => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  return samples;
}

/** Largest event-loop delay (ms) observed while `run` is in progress. */
async function eventLoopDelayDuring(run: () => Promise<unknown> | unknown): Promise<number> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  // A timer that keeps the loop turning, so a blocked loop shows up as delay.
  const ticker = setInterval(() => undefined, 1);
  await new Promise((resolve) => setTimeout(resolve, 20));
  await run();
  await new Promise((resolve) => setTimeout(resolve, 20));
  clearInterval(ticker);
  histogram.disable();
  return histogram.max / 1e6;
}

async function throughput(binding: Binding, hash: string, total: number): Promise<number> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      next++;
      await binding.verify(hash, PASSWORD);
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return total / ((performance.now() - start) / 1000);
}

async function main(): Promise<void> {
  const iterations = Math.max(20, Number(process.argv[2] ?? 30));
  console.log(
    `argon2id m=${MEMORY_COST_KIB} t=${TIME_COST} p=${PARALLELISM}; ${iterations} iterations; ` +
      `node ${process.version}; ${availableParallelism()} CPUs; UV_THREADPOOL_SIZE=${process.env['UV_THREADPOOL_SIZE'] ?? '4 (default)'}`,
  );

  const verifyMeans = new Map<string, number>();
  for (const binding of bindings) {
    console.log(`\n${binding.name}`);
    const hash = await binding.hash(PASSWORD);
    console.log(`  encoded: ${hash.slice(0, hash.lastIndexOf('$', hash.lastIndexOf('$') - 1))}$…`);
    if (!(await binding.verify(hash, PASSWORD)) || (await binding.verify(hash, WRONG_PASSWORD))) {
      throw new Error(`${binding.name}: round trip failed`);
    }
    // Warm-up: first calls pay for allocation and lazy initialisation.
    await timeEach(3, () => binding.verify(hash, PASSWORD));

    console.log(line('hash', stats(await timeEach(iterations, () => binding.hash(PASSWORD)))));
    const verify = stats(await timeEach(iterations, () => binding.verify(hash, PASSWORD)));
    verifyMeans.set(binding.name, verify.mean);
    console.log(line('verify (correct)', verify));
    console.log(line('verify (wrong)', stats(await timeEach(iterations, () => binding.verify(hash, WRONG_PASSWORD)))));

    const asyncDelay = await eventLoopDelayDuring(() => binding.verify(hash, PASSWORD));
    console.log(`  event-loop delay during one async verify: max ${ms(asyncDelay)}`);
    const { verifySync } = binding;
    if (verifySync) {
      const syncDelay = await eventLoopDelayDuring(() => verifySync(hash, PASSWORD));
      console.log(`  event-loop delay during one verifySync:   max ${ms(syncDelay)}`);
    }

    const total = Math.max(10 * CONCURRENCY, iterations * 8);
    const rate = await throughput(binding, hash, total);
    console.log(`  throughput at concurrency ${CONCURRENCY}: ${rate.toFixed(1)} verifies/s (${total} verifies)`);
  }

  const [fastest] = [...verifyMeans.entries()].sort((a, b) => a[1] - b[1]);
  if (fastest) console.log(`\nfastest verify: ${fastest[0]} (${ms(fastest[1])} mean)`);
}

await main();
