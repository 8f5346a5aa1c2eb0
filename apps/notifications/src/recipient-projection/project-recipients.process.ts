import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { INTEGRATION_TOPICS, readIntegrationEvent, type IntegrationEvent } from '#contracts';
import { CONFIG, type NotificationsConfig } from '#config';
import { IntegrationEventSubscription, kafkaConnectionOf } from '#messaging';
import { recipientStream } from '../recipient/recipient.events.js';
import { RecipientRepository } from '../recipient/recipient.repository.js';

/** Its Kafka consumer group (with the installation's prefix), apart from the mail's: see below. */
export const RECIPIENTS_GROUP = 'notifications-recipients';

/**
 * Who to mail: each user's address from `UserRegistered` on
 * `auth.identity.events`, kept in the service's own store. A consumer group of
 * its own, so that it keeps learning addresses while the mail's group waits
 * for one (an mfa event may be read before its user's registration, which
 * comes on another topic) or retries a failing SMTP server. Idempotent:
 * offsets are committed after the append, and a redelivered registration
 * changes nothing.
 */
@Injectable()
export class ProjectRecipientsProcess implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Recipients');
  private readonly subscription: IntegrationEventSubscription;

  constructor(
    private readonly recipients: RecipientRepository,
    @Inject(CONFIG) config: NotificationsConfig,
  ) {
    this.subscription = new IntegrationEventSubscription({
      name: RECIPIENTS_GROUP,
      topics: [INTEGRATION_TOPICS.identity],
      kafka: kafkaConnectionOf(config),
      from: 'committed',
      handle: (event) => this.handle(event),
    });
  }

  onModuleInit(): void {
    this.subscription.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.subscription.close();
  }

  async handle(event: IntegrationEvent): Promise<void> {
    if (event.type !== 'UserRegistered') return;
    // Read by its contract (libs/contracts); only the fields a recipient needs are kept.
    const read = readIntegrationEvent(event);
    if (read.outcome !== 'known' || read.event.type !== 'UserRegistered') {
      const problems = read.outcome === 'invalid' ? read.problems : `schemaVersion ${event.schemaVersion} unknown`;
      this.logger.warn(`skipped UserRegistered ${event.eventId}: not the published form (${problems})`);
      return;
    }
    const { userId, orgId, email, registeredAt } = read.event.data;
    await this.recipients.handle(recipientStream(userId), {
      type: 'RegisterRecipient',
      data: { userId, orgId, email, registeredAt },
    });
  }
}
