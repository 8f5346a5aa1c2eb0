import { z } from 'zod';

/**
 * Where the notifications service parks what it could not deliver (with the
 * installation's prefix): one message per source event, keyed by its user,
 * never holding a secret (integration events carry none, and the reason is a
 * code and an SMTP status, not the server's words).
 */
export const NOTIFICATIONS_DEAD_LETTER_TOPIC = 'auth.notifications.dead-letter';

export const DEAD_LETTER_REASONS = ['smtp_failed', 'unknown_recipient', 'malformed_event'] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

export const deadLetterMessage = z.object({
  /** The integration event that was not turned into mail (also its dedupe key). */
  eventId: z.string(),
  type: z.string(),
  userId: z.string().optional(),
  reason: z.enum(DEAD_LETTER_REASONS),
  /** SMTP tries made (0 when it was parked before a try). */
  attempts: z.number().int().nonnegative(),
  /** The last failure: nodemailer's error code and the SMTP reply code, if any (`EENVELOPE 451`). */
  lastError: z.string().max(200).nullable(),
  parkedAt: z.iso.datetime(),
  /** The event as it arrived, to replay once the cause is fixed. */
  event: z.record(z.string(), z.unknown()),
});
export type DeadLetterMessage = z.infer<typeof deadLetterMessage>;
