/**
 * Request/reply gateway → each service over real Kafka: the four apps run as
 * separate processes (dist/), this process calls like the gateway does, through
 * the same `ServiceClient`. Per service: sequential calls (p50, p99), then as
 * many at concurrency 32; and the CPU one sequential call costs the caller
 * (this process), the service and the broker (read from /proc).
 *
 *   node dist/bench/kafka-rpc.bench.js [calls]   (BENCH_RPC_CALLS, default 500)
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { IdentityRpc, MfaRpc, PolicyRpc } from '#contracts';
import { MessagingModule, sealingRecipientsOf, ServiceClient } from '#messaging';
import { acquireKafkaBroker, kafkaConnectionFor, startSystem } from '#testing';
import { formatLoad, runLoad } from './lib/load.js';
import { brokerJit, CpuMeter } from './lib/cpu-meter.js';

const TOTAL = Number(process.argv[2] ?? process.env['BENCH_RPC_CALLS'] ?? 500);

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
  const meter = new CpuMeter({ dataDir: system.dataDir, broker: true });
  const callerCpuMs = () => {
    const { user, system: kernel } = process.cpuUsage();
    return (user + kernel) / 1000;
  };
  console.info(
    `request/reply over Kafka (${broker.source} broker ${broker.brokers}, ${broker.secured ? 'TLS + SCRAM' : 'plaintext'}, ${brokerJit()})`,
  );
  for (const rpc of [IdentityRpc.checkHealth, MfaRpc.checkHealth, PolicyRpc.checkHealth]) {
    const service = rpc.pattern.split('.')[0]!;
    const call = () => services.call(rpc, {});
    await runLoad(100, 8, call); // warm-up: connections, fetch sessions
    const before = meter.read();
    const callerBefore = callerCpuMs();
    console.info(formatLoad(`${rpc.pattern} sequential`, await runLoad(TOTAL, 1, call)));
    const { byGroup: perCall } = CpuMeter.spentPer(before, meter.read(), TOTAL);
    const callerPerCall = (callerCpuMs() - callerBefore) / TOTAL;
    console.info(
      `  CPU per sequential call: caller ${callerPerCall.toFixed(2)} ms, ${service} ${perCall.get(service)!.toFixed(2)} ms, ` +
        `broker ${perCall.get('kafka broker')?.toFixed(2) ?? '?'} ms, the other apps (idle) ` +
        `${[...perCall]
          .filter(([label]) => label !== service && label !== 'kafka broker')
          .reduce((sum, [, ms]) => sum + ms, 0)
          .toFixed(2)} ms`,
    );
    console.info(formatLoad(`${rpc.pattern} concurrent`, await runLoad(TOTAL, 32, call)));
  }
} finally {
  await caller.close();
  await system.stop({ removeData: true });
  await broker.release();
}
