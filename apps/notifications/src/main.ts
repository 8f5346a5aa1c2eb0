import 'reflect-metadata';
import { loadConfig, runOrExit } from '#config';
import { startNotifications } from './notifications.app.js';

await runOrExit('notifications', async () => {
  const app = await startNotifications(loadConfig('notifications'));
  app.enableShutdownHooks();
});
