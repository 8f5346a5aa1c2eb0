import type { INestApplicationContext, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NotificationsConfig } from '#config';
import { NotificationsModule } from './notifications.module.js';

/**
 * Starts the service as an application context: it answers no requests, so it
 * has no transport server (`startService`); its subscriptions start with the
 * module, on Kafka or on the process bus.
 */
export function startNotifications(
  config: NotificationsConfig,
  logger?: LoggerService | false,
): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(NotificationsModule.register(config), {
    abortOnError: false,
    ...(logger !== undefined ? { logger } : {}),
  });
}
