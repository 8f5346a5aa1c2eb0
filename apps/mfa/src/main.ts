import 'reflect-metadata';
import { loadConfig, runOrExit } from '#config';
import { startService } from '#messaging';
import { MfaModule } from './mfa.module.js';

await runOrExit('mfa', async () => {
  const config = loadConfig('mfa');
  const app = await startService({
    service: 'mfa',
    module: MfaModule.register(config),
    config,
  });
  app.enableShutdownHooks();
});
