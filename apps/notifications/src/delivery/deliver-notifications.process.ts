import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { INTEGRATION_TOPICS, type DeadLetterReason, type IntegrationEvent } from '#contracts';
import { CLOCK, CONFIG, type Clock, type NotificationsConfig } from '#config';
import {
  backoffDelay,
  CancellableSleep,
  IntegrationEventSubscription,
  kafkaConnectionOf,
  TOPIC_PARTITIONS,
  type Backoff,
  type IntegrationEventContext,
} from '#messaging';
import { MAILER, describeSendFailure, type Mailer } from '../mail/mailer.js';
import type { NotificationState } from '../notification/notification.decider.js';
import { NotificationClaimedElsewhere } from '../notification/notification.errors.js';
import { notificationStream } from '../notification/notification.events.js';
import { NotificationRepository } from '../notification/notification.repository.js';
import { adminOf, noticeOf, type Addressed } from '../notices/account-notices.js';
import { RecipientRepository } from '../recipient/recipient.repository.js';
import { renderNotice } from '../templates/templates.js';
import { DEAD_LETTERS, type DeadLetters } from './dead-letters.js';

/** Its Kafka consumer group (with the installation's prefix): the notifications principal's ACLs allow it. */
export const NOTIFICATIONS_GROUP = 'notifications';
export const PRODUCT_NAME = 'totp-mfa';

/** How often it looks again for an address that is not known yet. */
const RECIPIENT_POLL: Backoff = { initialMs: 200, maxMs: 5_000 };
/** Waits are cut into slices this long, with a heartbeat between, so the group does not drop a waiting consumer. */
const HEARTBEAT_SLICE_MS = 1_000;

class ShuttingDown extends Error {
  override readonly name = 'ShuttingDown';
}

/**
 * Mails people what happened to their account: reads `auth.mfa.events` and
 * `auth.identity.events` in its own consumer group, from the oldest retained
 * event on its first start, from its committed offsets after (committed once
 * an event is handled, so each comes at least once).
 *
 * Exactly once in effect, by the `notification-<eventId>` stream: an event
 * whose mail is recorded as sent (or parked) is passed over, however often it
 * comes; an instance claims a message for each try with a lease (twice the
 * SMTP timeout), appended at the expected revision, so two instances (a
 * rebalance mid-send, two relays publishing one event) never try at once.
 *
 * The one window left is a crash after the SMTP server accepted a message and
 * before `NotificationSent` is appended: the event comes again and, once the
 * dead claim's lease ended, is sent again. No order of the two steps closes
 * it (appending first would lose mail on a crash instead, which for a security
 * alert is worse); the second copy has the same Message-ID (derived from the
 * event id), so mail clients and archives see one message.
 *
 * A refused or failed send is tried again with capped exponential backoff
 * (NOTIFICATIONS_RETRY_*), each try recorded; after NOTIFICATIONS_MAX_ATTEMPTS
 * the message is parked on the dead-letter topic with the reason. An event
 * whose user's address is not known yet (its `UserRegistered`, on the other
 * topic, not read yet) waits for it up to NOTIFICATIONS_RECIPIENT_WAIT_MS,
 * then is parked as `unknown_recipient`. In process there is no such race
 * (events are handed over live, identity's first), so it does not wait there:
 * it would hold up the publishing service's relay.
 */
@Injectable()
export class DeliverNotificationsProcess implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Notifications');
  private readonly subscription: IntegrationEventSubscription;
  /** Names this instance's claims. */
  private readonly instance = randomUUID();
  private readonly sleep = new CancellableSleep();
  private readonly retry: Backoff;
  private readonly recipientWaitMs: number;
  private closing = false;

  constructor(
    private readonly notifications: NotificationRepository,
    private readonly recipients: RecipientRepository,
    @Inject(MAILER) private readonly mailer: Mailer,
    @Inject(DEAD_LETTERS) private readonly deadLetters: DeadLetters,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: NotificationsConfig,
  ) {
    const kafka = kafkaConnectionOf(config);
    this.retry = { initialMs: config.NOTIFICATIONS_RETRY_INITIAL_MS, maxMs: config.NOTIFICATIONS_RETRY_MAX_MS };
    this.recipientWaitMs = kafka ? config.NOTIFICATIONS_RECIPIENT_WAIT_MS : 0;
    this.subscription = new IntegrationEventSubscription({
      name: NOTIFICATIONS_GROUP,
      topics: [INTEGRATION_TOPICS.mfa, INTEGRATION_TOPICS.identity],
      kafka,
      from: 'committed',
      // One user's events are on one partition, in order; different users' mail need not wait for each other.
      partitionsConsumedConcurrently: TOPIC_PARTITIONS,
      handle: (event, context) => this.handle(event, context),
    });
  }

  /** Before any relay of the same process starts (in process, events are handed over live only). */
  onModuleInit(): void {
    this.subscription.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    this.sleep.cancel();
    await this.subscription.close();
    this.mailer.close();
    await this.deadLetters.close();
  }

  async handle(event: IntegrationEvent, { heartbeat }: IntegrationEventContext): Promise<void> {
    const read = noticeOf(event);
    if (read.outcome === 'ignored') return;
    const stream = notificationStream(event.eventId);
    let { state } = await this.notifications.load(stream);
    if (state.status === 'pending') {
      if (read.outcome === 'malformed') {
        this.logger.warn(`${event.type} ${event.eventId} is not the published form (${read.problems})`);
        state = await this.park(stream, 'malformed_event');
      } else {
        const to = await this.addressOf(read.addressed.userId, heartbeat);
        state =
          to === null
            ? await this.park(stream, 'unknown_recipient')
            : await this.send(stream, read.addressed, to, heartbeat);
      }
    }
    if (state.status === 'parked' && !state.deadLettered) {
      const { reason, attempts, lastError, parkedAt } = state;
      await this.deadLetters.park({
        eventId: event.eventId,
        type: event.type,
        ...(event.userId ? { userId: event.userId } : {}),
        reason,
        attempts,
        lastError,
        parkedAt,
        event: { ...event },
      });
      await this.notifications.handle(stream, { type: 'RecordDeadLettered', data: { now: this.clock.now() } });
    }
  }

  private async send(
    stream: string,
    addressed: Addressed,
    to: string,
    heartbeat: () => Promise<void>,
  ): Promise<NotificationState> {
    const adminId = adminOf(addressed.notice);
    const admin = adminId === null ? null : ((await this.recipients.emailOf(adminId)) ?? adminId);
    const content = renderNotice(addressed, { productName: PRODUCT_NAME, recipientEmail: to, admin });
    const leaseMs = 2 * this.config.NOTIFICATIONS_SEND_TIMEOUT_MS;
    for (;;) {
      if (this.closing) throw new ShuttingDown();
      const now = this.clock.now();
      let started: NotificationState;
      try {
        ({ state: started } = await this.notifications.handle(stream, {
          type: 'StartAttempt',
          data: { by: this.instance, now, leaseUntil: new Date(now.getTime() + leaseMs) },
        }));
      } catch (error) {
        if (!(error instanceof NotificationClaimedElsewhere)) throw error;
        await this.wait(Math.max(error.until.getTime() - now.getTime(), 0) + 100, heartbeat);
        continue;
      }
      if (started.status !== 'pending') return started;

      let messageId: string;
      try {
        messageId = await this.mailer.send({ eventId: addressed.eventId, to, content });
      } catch (error) {
        const failure = describeSendFailure(error);
        const { state } = await this.notifications.handle(stream, {
          type: 'RecordFailure',
          data: { error: failure, maxAttempts: this.config.NOTIFICATIONS_MAX_ATTEMPTS, now: this.clock.now() },
        });
        if (state.status !== 'pending') return state;
        const delay = backoffDelay(this.retry, state.attempts);
        this.logger.warn(
          `mail about ${addressed.notice.kind} ${addressed.eventId} not accepted (${failure}), ` +
            `try ${state.attempts} of ${this.config.NOTIFICATIONS_MAX_ATTEMPTS}; again in ${delay} ms`,
        );
        await this.wait(delay, heartbeat);
        continue;
      }
      const { state } = await this.notifications.handle(stream, {
        type: 'RecordSent',
        data: { messageId, now: this.clock.now() },
      });
      return state;
    }
  }

  private async park(stream: string, reason: DeadLetterReason): Promise<NotificationState> {
    const { state } = await this.notifications.handle(stream, {
      type: 'Park',
      data: { reason, now: this.clock.now() },
    });
    return state;
  }

  /** The user's address, waiting for its registration up to the bound; null past it. */
  private async addressOf(userId: string, heartbeat: () => Promise<void>): Promise<string | null> {
    const giveUpAt = Date.now() + this.recipientWaitMs;
    for (let attempt = 1; ; attempt += 1) {
      const email = await this.recipients.emailOf(userId);
      if (email !== null) return email;
      const left = giveUpAt - Date.now();
      if (left <= 0) return null;
      await this.wait(Math.min(backoffDelay(RECIPIENT_POLL, attempt), left), heartbeat);
    }
  }

  /** Sleeps `ms`, heartbeating; throws once the service is shutting down (the event is not done: it comes again). */
  private async wait(ms: number, heartbeat: () => Promise<void>): Promise<void> {
    const until = Date.now() + ms;
    for (let left = ms; left > 0; left = until - Date.now()) {
      if (this.closing) throw new ShuttingDown();
      await this.sleep.for(Math.min(left, HEARTBEAT_SLICE_MS));
      if (this.closing) throw new ShuttingDown();
      await heartbeat();
    }
  }
}
