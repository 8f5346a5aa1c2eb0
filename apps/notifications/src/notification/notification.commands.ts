import type { DeadLetterReason } from '#contracts';

/** Take the message for one try, as instance `by`, until `leaseUntil`. */
export type StartAttempt = {
  readonly type: 'StartAttempt';
  readonly data: { readonly by: string; readonly now: Date; readonly leaseUntil: Date };
};

export type RecordSent = {
  readonly type: 'RecordSent';
  readonly data: { readonly messageId: string; readonly now: Date };
};

/** A try failed; the last of `maxAttempts` parks the message. */
export type RecordFailure = {
  readonly type: 'RecordFailure';
  readonly data: { readonly error: string; readonly maxAttempts: number; readonly now: Date };
};

/** Give up without a try (no address for the user). */
export type Park = {
  readonly type: 'Park';
  readonly data: { readonly reason: DeadLetterReason; readonly now: Date };
};

export type RecordDeadLettered = { readonly type: 'RecordDeadLettered'; readonly data: { readonly now: Date } };

export type NotificationCommand = StartAttempt | RecordSent | RecordFailure | Park | RecordDeadLettered;
