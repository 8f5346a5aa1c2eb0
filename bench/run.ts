/**
 * `npm run bench`: every benchmark in turn, each in its own process, sharing
 * one Kafka broker (KAFKA_BROKERS, else testcontainers, else the repo's own).
 * Pass names to run only some: `npm run bench -- login kafka-rpc`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { acquireKafkaBroker } from '#testing';

const BENCHMARKS = ['event-store', 'argon2', 'mfa-verify-cost', 'kafka-rpc', 'mfa-verify', 'login'];
const selected = process.argv.length > 2 ? process.argv.slice(2) : BENCHMARKS;

const broker = await acquireKafkaBroker();
let failed = 0;
try {
  for (const name of selected) {
    const script = join(import.meta.dirname, `${name}.bench.js`);
    if (!existsSync(script)) {
      console.error(`no benchmark ${name}`);
      failed++;
      continue;
    }
    console.info(`\n=== ${name}`);
    const { status } = spawnSync(process.execPath, [script], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, KAFKA_BROKERS: broker.brokers },
    });
    if (status !== 0) failed++;
  }
} finally {
  await broker.release();
}
process.exitCode = failed > 0 ? 1 : 0;
