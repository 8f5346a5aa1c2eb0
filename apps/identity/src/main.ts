import 'reflect-metadata';
import { loadConfig, runOrExit } from '#config';
import { startService } from '#messaging';
import { IdentityModule } from './identity.module.js';

await runOrExit('identity', async () => {
  const config = loadConfig('identity');
  const app = await startService({
    service: 'identity',
    module: IdentityModule.register(config),
    config,
  });
  app.enableShutdownHooks();
});
