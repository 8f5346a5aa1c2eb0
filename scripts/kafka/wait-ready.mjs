// Waits until a Kafka broker answers metadata requests, which an open TCP port
// alone does not prove (KRaft opens listeners before the broker has caught up).
//
// usage: [KAFKA_CLIENT_ENV_FILE=<principal>.env] node wait-ready.mjs <brokers> <timeoutMs> [pid]
// exit:  0 ready, 1 timed out, 2 usage error, 3 the broker process <pid> exited
// KAFKA_CLIENT_ENV_FILE: connect with that principal's TLS and SASL settings (secured broker).
import kafkajs from 'kafkajs';
import { kafkaConnection, readEnvFile } from './client-env.mjs';

const { Kafka, logLevel } = kafkajs;
const [brokersArg, timeoutArg, pidArg] = process.argv.slice(2);
const timeoutMs = Number(timeoutArg);
if (!brokersArg || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
  console.error('usage: node wait-ready.mjs <brokers> <timeoutMs> [pid]');
  process.exit(2);
}
const brokers = brokersArg.split(',');
const envFile = process.env.KAFKA_CLIENT_ENV_FILE;
const security = envFile ? kafkaConnection(readEnvFile(envFile)) : {};
const pid = pidArg ? Number(pidArg) : undefined;

const isAlive = (p) => {
  try {
    process.kill(p, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
};

const probe = async () => {
  const kafka = new Kafka({
    clientId: 'kafka-local-ready-check',
    ...security,
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 3_000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0) throw new Error('metadata lists no brokers yet');
  } finally {
    await admin.disconnect().catch(() => {});
  }
};

const deadline = Date.now() + timeoutMs;
let lastError = 'no attempt made';
while (Date.now() < deadline) {
  if (pid !== undefined && !isAlive(pid)) {
    console.error(`broker process ${pid} exited`);
    process.exit(3);
  }
  try {
    await probe();
    process.exit(0);
  } catch (error) {
    lastError = error instanceof Error ? error.message : String(error);
  }
  await new Promise((resolve) => setTimeout(resolve, 250));
}
console.error(`broker at ${brokersArg} not ready after ${timeoutMs} ms: ${lastError}`);
process.exit(1);
