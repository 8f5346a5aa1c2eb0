import { assertNever } from '#contracts';
import type { Decider } from '#event-store';
import type { DeadLetterReason } from '#contracts';
import type { NotificationCommand } from './notification.commands.js';
import { NotificationClaimedElsewhere } from './notification.errors.js';
import type { NotificationEvent } from './notification.events.js';

export type NotificationState =
  | {
      readonly status: 'pending';
      /** Tries started so far (a try cut short by a crash counts too). */
      readonly attempts: number;
      readonly claim: { readonly by: string; readonly until: Date } | null;
      readonly lastError: string | null;
    }
  | { readonly status: 'sent'; readonly messageId: string }
  | {
      readonly status: 'parked';
      readonly reason: DeadLetterReason;
      readonly attempts: number;
      readonly lastError: string | null;
      readonly parkedAt: string;
      readonly deadLettered: boolean;
    };

/**
 * What was done about one event's mail. The rules: a message is tried by one
 * instance at a time (a claim with a lease, so a crashed claimant holds it up
 * only until its lease ends); it is sent at most once as far as this store
 * knows; after `maxAttempts` failed tries it is parked for the dead-letter
 * topic, once.
 */
export const notificationDecider: Decider<NotificationCommand, NotificationEvent, NotificationState> = {
  initialState: () => ({ status: 'pending', attempts: 0, claim: null, lastError: null }),

  decide(command, state) {
    switch (command.type) {
      case 'StartAttempt': {
        if (state.status !== 'pending') return [];
        const { by, now, leaseUntil } = command.data;
        if (state.claim && state.claim.by !== by && state.claim.until > now) {
          throw new NotificationClaimedElsewhere(state.claim.until);
        }
        return [
          {
            type: 'NotificationAttempted',
            data: {
              attempt: state.attempts + 1,
              by,
              startedAt: now.toISOString(),
              leaseUntil: leaseUntil.toISOString(),
            },
          },
        ];
      }
      case 'RecordSent':
        if (state.status !== 'pending') return [];
        return [
          {
            type: 'NotificationSent',
            data: {
              attempt: state.attempts,
              messageId: command.data.messageId,
              sentAt: command.data.now.toISOString(),
            },
          },
        ];
      case 'RecordFailure': {
        if (state.status !== 'pending') return [];
        const { error, maxAttempts, now } = command.data;
        const failed: NotificationEvent = {
          type: 'NotificationAttemptFailed',
          data: { attempt: state.attempts, error, failedAt: now.toISOString() },
        };
        if (state.attempts < maxAttempts) return [failed];
        return [
          failed,
          {
            type: 'NotificationParked',
            data: { reason: 'smtp_failed', attempts: state.attempts, lastError: error, parkedAt: now.toISOString() },
          },
        ];
      }
      case 'Park':
        if (state.status !== 'pending') return [];
        return [
          {
            type: 'NotificationParked',
            data: {
              reason: command.data.reason,
              attempts: state.attempts,
              lastError: state.lastError,
              parkedAt: command.data.now.toISOString(),
            },
          },
        ];
      case 'RecordDeadLettered':
        if (state.status !== 'parked' || state.deadLettered) return [];
        return [{ type: 'NotificationDeadLettered', data: { deadLetteredAt: command.data.now.toISOString() } }];
      default:
        return assertNever(command);
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'NotificationAttempted':
        if (state.status !== 'pending') return state;
        return {
          ...state,
          attempts: event.data.attempt,
          claim: { by: event.data.by, until: new Date(event.data.leaseUntil) },
        };
      case 'NotificationAttemptFailed':
        if (state.status !== 'pending') return state;
        return { ...state, claim: null, lastError: event.data.error };
      case 'NotificationSent':
        return { status: 'sent', messageId: event.data.messageId };
      case 'NotificationParked':
        return { status: 'parked', ...event.data, deadLettered: false };
      case 'NotificationDeadLettered':
        return state.status === 'parked' ? { ...state, deadLettered: true } : state;
      default:
        return assertNever(event);
    }
  },
};
