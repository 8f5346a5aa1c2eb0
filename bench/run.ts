/**
 * `npm run bench`: every benchmark in turn, each in its own process, those on
 * Kafka sharing one broker (`acquireKafkaBroker`: KAFKA_CLIENTS_DIR, KAFKA_BROKERS, or the repo's own).
 * Pass names to run only some: `npm run bench -- login kafka-rpc`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { acquireKafkaBroker } from '#testing';

const BENCHMARKS = [
  'event-store',
  'argon2',
  'mfa-verify-cost',
  'reply-validation',
  'sealing',
  'kafka-rpc',
  'mfa-verify',
  'login',
  'notifications',
  'verify',
];
/** The others measure in-process: a run of only those needs no broker. */
const ON_KAFKA = new Set(['kafka-rpc', 'mfa-verify', 'login', 'notifications']);
const selected = process.argv.length > 2 ? process.argv.slice(2) : BENCHMARKS;

const broker = selected.some((name) => ON_KAFKA.has(name)) ? await acquireKafkaBroker() : undefined;
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
      env: { ...process.env, ...broker?.env },
    });
    if (status !== 0) failed++;
  }
} finally {
  await broker?.release();
}
process.exitCode = failed > 0 ? 1 : 0;
