import 'reflect-metadata';
import { loadConfig, runOrExit } from '#config';
import { startService } from '#messaging';
import { installLogging, startManagement } from '#observability';
import { MfaModule } from './mfa.module.js';

await runOrExit('mfa', async () => {
  const config = loadConfig('mfa');
  installLogging('mfa', config);
  const app = await startService({
    service: 'mfa',
    module: MfaModule.register(config),
    config,
  });
  await startManagement(config);
  app.enableShutdownHooks();
});
