import 'reflect-metadata';
import { loadConfig, runOrExit } from '#config';
import { startService } from '#messaging';
import { installLogging, startManagement } from '#observability';
import { IdentityModule } from './identity.module.js';

await runOrExit('identity', async () => {
  const config = loadConfig('identity');
  installLogging('identity', config);
  const app = await startService({
    service: 'identity',
    module: IdentityModule.register(config),
    config,
  });
  await startManagement(config);
  app.enableShutdownHooks();
});
