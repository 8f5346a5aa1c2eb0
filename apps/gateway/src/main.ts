import 'reflect-metadata';
import { loadConfig, runOrExit } from '#config';
import { installLogging, startManagement } from '#observability';
import { startGateway } from './gateway.app.js';

await runOrExit('gateway', async () => {
  const config = loadConfig('gateway');
  installLogging('gateway', config);
  const app = await startGateway(config);
  await startManagement(config);
  app.enableShutdownHooks();
});
