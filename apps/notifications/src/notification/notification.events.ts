import type { DeadLetterReason } from '#contracts';

/**
 * One `notification-<eventId>` stream per integration event that calls for a
 * mail: the service's memory of what it has done about it, so a redelivered
 * event, or the same event published twice by two relays, is mailed once.
 */
export const NOTIFICATION_STREAM_PREFIX = 'notification-';
export const notificationStream = (eventId: string): string => `${NOTIFICATION_STREAM_PREFIX}${eventId}`;

/** An instance took the message for one SMTP try; no other instance tries before `leaseUntil`. */
export type NotificationAttempted = {
  readonly type: 'NotificationAttempted';
  readonly data: {
    readonly attempt: number;
    readonly by: string;
    readonly startedAt: string;
    readonly leaseUntil: string;
  };
};

/** The SMTP server accepted the message (or, without SMTP, it was written to the outbox). */
export type NotificationSent = {
  readonly type: 'NotificationSent';
  readonly data: { readonly attempt: number; readonly messageId: string; readonly sentAt: string };
};

/** A try failed: `error` is a code and an SMTP status (`EENVELOPE 451`), never the server's words. */
export type NotificationAttemptFailed = {
  readonly type: 'NotificationAttemptFailed';
  readonly data: { readonly attempt: number; readonly error: string; readonly failedAt: string };
};

/** Given up: it goes to the dead-letter topic. */
export type NotificationParked = {
  readonly type: 'NotificationParked';
  readonly data: {
    readonly reason: DeadLetterReason;
    readonly attempts: number;
    readonly lastError: string | null;
    readonly parkedAt: string;
  };
};

/** The dead-letter topic has it. */
export type NotificationDeadLettered = {
  readonly type: 'NotificationDeadLettered';
  readonly data: { readonly deadLetteredAt: string };
};

export type NotificationEvent =
  NotificationAttempted | NotificationSent | NotificationAttemptFailed | NotificationParked | NotificationDeadLettered;
