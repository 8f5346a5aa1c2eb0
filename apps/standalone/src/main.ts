import 'reflect-metadata';
import { Logger, type INestApplicationContext } from '@nestjs/common';
import { loadConfig, runOrExit } from '#config';
import { startService } from '#messaging';
import { startGateway } from '../../gateway/src/gateway.app.js';
import { IdentityModule } from '../../identity/src/identity.module.js';
import { MfaModule } from '../../mfa/src/mfa.module.js';
import { PolicyModule } from '../../policy/src/policy.module.js';

/**
 * The embedded default: gateway, identity, mfa and policy in one process, on
 * the in-process transport (or on Kafka when KAFKA_BROKERS is set), each
 * service with its own event store.
 */
await runOrExit('totp-mfa', async () => {
  const config = loadConfig();
  const apps: INestApplicationContext[] = [];
  const stopAll = async () => {
    for (const app of apps.reverse()) await app.close();
  };
  try {
    apps.push(await startService({ service: 'identity', module: IdentityModule.register(config), config }));
    apps.push(await startService({ service: 'mfa', module: MfaModule.register(config), config }));
    apps.push(await startService({ service: 'policy', module: PolicyModule.register(config), config }));
    apps.push(await startGateway(config));
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
  new Logger('totp-mfa').log(
    `listening on http://${config.HOST}:${config.PORT} (${config.KAFKA_BROKERS ? 'Kafka' : 'in-process'} transport, ${
      config.EVENTSTORE_URL ? 'EventStoreDB' : `embedded event store in ${config.DATA_DIR}`
    })`,
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void stopAll().then(() => process.exit(0));
    });
  }
});
