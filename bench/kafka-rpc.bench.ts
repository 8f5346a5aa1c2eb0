/**
 * Request/reply gateway → each service over real Kafka: the four apps run as
 * separate processes (dist/), this process calls like the gateway does, through
 * the same `ServiceClient`. 1,000 sequential calls, then 1,000 at concurrency 32.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { IdentityRpc, MfaRpc, PolicyRpc } from '#contracts';
import { MessagingModule, sealingRecipientsOf, ServiceClient } from '#messaging';
import { acquireKafkaBroker, kafkaConnectionFor, startSystem } from '#testing';
import { formatLoad, runLoad } from './lib/load.js';

const TOTAL = Number(process.argv[2] ?? 1000);

const broker = await acquireKafkaBroker();
const system = await startSystem({ mode: 'distributed', kafka: broker.clients });
const caller = await NestFactory.createApplicationContext(
  MessagingModule.forCaller({
    caller: 'gateway-bench',
    kafka: kafkaConnectionFor(broker.clients.gateway),
    timeoutMs: 10_000,
    sealing: sealingRecipientsOf({ DATA_DIR: system.dataDir }),
  }),
  { logger: ['error'] },
);
try {
  const services = caller.get(ServiceClient);
  console.info(
    `request/reply over Kafka (${broker.source} broker ${broker.brokers}, ${broker.secured ? 'TLS + SCRAM' : 'plaintext'})`,
  );
  for (const rpc of [IdentityRpc.checkHealth, MfaRpc.checkHealth, PolicyRpc.checkHealth]) {
    const call = () => services.call(rpc, {});
    await runLoad(100, 8, call); // warm-up: connections, fetch sessions
    console.info(formatLoad(`${rpc.pattern} sequential`, await runLoad(TOTAL, 1, call)));
    console.info(formatLoad(`${rpc.pattern} concurrent`, await runLoad(TOTAL, 32, call)));
  }
} finally {
  await caller.close();
  await system.stop({ removeData: true });
  await broker.release();
}
