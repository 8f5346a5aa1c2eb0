import 'reflect-metadata';
import { loadConfig, runOrExit } from '#config';
import { startGateway } from './gateway.app.js';

await runOrExit('gateway', async () => {
  const app = await startGateway(loadConfig('gateway'));
  app.enableShutdownHooks();
});
