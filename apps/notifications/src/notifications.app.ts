import type { INestApplicationContext, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NotificationsConfig } from '#config';
import { loggingOptions, useProcessLogger, withLogging } from '#observability';
import { NotificationsModule } from './notifications.module.js';

/**
 * Starts the service as an application context: it answers no requests, so it
 * has no transport server (`startService`); its subscriptions start with the
 * module, on Kafka or on the process bus (each tells the process's readiness
 * whether it consumes). Its logs go through the process's logger unless
 * `logger` is given.
 */
export async function startNotifications(
  config: NotificationsConfig,
  logger?: LoggerService | false,
): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(withLogging(NotificationsModule.register(config)), {
    abortOnError: false,
    ...loggingOptions(logger),
  });
  if (logger === undefined) useProcessLogger(app);
  return app;
}
