import 'reflect-metadata';
import { loadConfig, runOrExit } from '#config';
import { installLogging, startManagement } from '#observability';
import { startNotifications } from './notifications.app.js';

await runOrExit('notifications', async () => {
  const config = loadConfig('notifications');
  installLogging('notifications', config);
  const app = await startNotifications(config);
  await startManagement(config);
  app.enableShutdownHooks();
});
