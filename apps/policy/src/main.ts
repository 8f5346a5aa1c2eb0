import 'reflect-metadata';
import { loadConfig, runOrExit } from '#config';
import { startService } from '#messaging';
import { PolicyModule } from './policy.module.js';

await runOrExit('policy', async () => {
  const config = loadConfig('policy');
  const app = await startService({
    service: 'policy',
    module: PolicyModule.register(config),
    config,
  });
  app.enableShutdownHooks();
});
