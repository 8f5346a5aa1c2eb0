import 'reflect-metadata';
import { loadConfig, runOrExit } from '#config';
import { startService } from '#messaging';
import { installLogging, startManagement } from '#observability';
import { PolicyModule } from './policy.module.js';

await runOrExit('policy', async () => {
  const config = loadConfig('policy');
  installLogging('policy', config);
  const app = await startService({
    service: 'policy',
    module: PolicyModule.register(config),
    config,
  });
  await startManagement(config);
  app.enableShutdownHooks();
});
