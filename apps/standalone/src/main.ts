import 'reflect-metadata';
import { Logger, type INestApplicationContext } from '@nestjs/common';
import { loadConfig, runOrExit } from '#config';
import { eventStoreKindOf } from '#event-store';
import { startService } from '#messaging';
import { installLogging, startManagement } from '#observability';
import { startGateway } from '../../gateway/src/gateway.app.js';
import { IdentityModule } from '../../identity/src/identity.module.js';
import { MfaModule } from '../../mfa/src/mfa.module.js';
import { startNotifications } from '../../notifications/src/notifications.app.js';
import { PolicyModule } from '../../policy/src/policy.module.js';

/**
 * The embedded default: gateway, identity, mfa, policy and notifications in one process, on
 * the in-process transport (or on Kafka when KAFKA_BROKERS is set), each
 * service with its own event store.
 */
await runOrExit('totp-mfa', async () => {
  // Each service reads its own settings from the one environment, as it would in its own process.
  const config = {
    identity: loadConfig('identity'),
    mfa: loadConfig('mfa'),
    policy: loadConfig('policy'),
    gateway: loadConfig('gateway'),
    notifications: loadConfig('notifications'),
  };
  // One logger, one metrics registry and one management listener (HTTP_PORT) for every service of the process.
  installLogging('totp-mfa', config.gateway);
  const apps: INestApplicationContext[] = [];
  const stopAll = async () => {
    for (const app of apps.reverse()) await app.close();
  };
  try {
    // First: in process, events are handed over live, so it must listen before the relays start publishing.
    apps.push(await startNotifications(config.notifications));
    for (const [service, module] of [
      ['identity', IdentityModule.register(config.identity)],
      ['mfa', MfaModule.register(config.mfa)],
      ['policy', PolicyModule.register(config.policy)],
    ] as const) {
      apps.push(await startService({ service, module, config: config[service] }));
    }
    apps.push(await startGateway(config.gateway));
    const management = await startManagement(config.gateway);
    if (management) apps.unshift(management);
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
  new Logger('totp-mfa').log(
    `listening on http://${config.gateway.HOST}:${config.gateway.PORT} (${config.gateway.KAFKA_BROKERS ? 'Kafka' : 'in-process'} transport, ${
      config.gateway.EVENTSTORE_URL
        ? `${eventStoreKindOf(config.gateway.EVENTSTORE_URL) === 'postgresql' ? 'PostgreSQL' : 'EventStoreDB'} event store`
        : `embedded event store in ${config.gateway.DATA_DIR}`
    })`,
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void stopAll().then(() => process.exit(0));
    });
  }
});
