import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, type NotificationsConfig } from '#config';
import { EventStoreModule } from '#event-store';
import { kafkaConnectionOf } from '#messaging';
import { DEAD_LETTERS, openDeadLetters } from './delivery/dead-letters.js';
import { DeliverNotificationsProcess } from './delivery/deliver-notifications.process.js';
import { createMailer, MAILER } from './mail/mailer.js';
import { NotificationRepository } from './notification/notification.repository.js';
import { ProjectRecipientsProcess } from './recipient-projection/project-recipients.process.js';
import { RecipientRepository } from './recipient/recipient.repository.js';

/**
 * The notifications service: mails people what happened to their account,
 * from `auth.mfa.events` and `auth.identity.events`. It answers no requests
 * (its principal may read those two topics and write its dead-letter topic,
 * nothing else), so it runs as an application context (`startNotifications`), not a transport server.
 */
@Module({})
export class NotificationsModule {
  static readonly app = 'notifications';

  static register(config: NotificationsConfig): DynamicModule {
    return {
      module: NotificationsModule,
      imports: [
        ConfigModule.forRoot(config),
        EventStoreModule.forService({
          service: 'notifications',
          eventStoreUrl: config.EVENTSTORE_URL,
          dataDir: config.DATA_DIR,
        }),
      ],
      providers: [
        { provide: MAILER, useFactory: () => createMailer(config) },
        { provide: DEAD_LETTERS, useFactory: () => openDeadLetters(kafkaConnectionOf(config)) },
        NotificationRepository,
        RecipientRepository,
        ProjectRecipientsProcess,
        DeliverNotificationsProcess,
      ],
    };
  }
}
