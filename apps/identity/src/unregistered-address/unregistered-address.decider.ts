/**
 * The failed passwords of an address no user has, as a pure decider: the same
 * rules as a user's (`password-attempts.ts`), so every answer and the work
 * behind it (one read, one argon2 verify, one append) are an account's.
 * Nothing ever succeeds here and nobody unlocks it: once the address is
 * registered, its sign-ins go to the user's stream.
 */
import { assertNever } from '#contracts';
import type { Decider } from '#event-store';
import {
  afterFailure,
  afterLock,
  assertPasswordThrottlePolicy,
  DEFAULT_PASSWORD_THROTTLE,
  locksAt,
  NO_FAILURES,
  refusalBeforeCheck,
  type PasswordFailures,
  type PasswordThrottlePolicy,
} from '../password-attempts/password-attempts.js';
import { refusalForFailure } from '../password-attempts/password-attempts.errors.js';
import type { UnregisteredAddressCommand } from './unregistered-address.commands.js';
import type { UnregisteredAddressEvent } from './unregistered-address.events.js';

export interface UnregisteredAddressState {
  readonly failures: PasswordFailures;
}

export function createUnregisteredAddressDecider(
  throttle: PasswordThrottlePolicy = DEFAULT_PASSWORD_THROTTLE,
): Decider<UnregisteredAddressCommand, UnregisteredAddressEvent, UnregisteredAddressState> {
  assertPasswordThrottlePolicy(throttle);
  return {
    initialState: () => ({ failures: NO_FAILURES }),

    decide(command, state) {
      switch (command.type) {
        case 'RecordFailedPassword': {
          const { reason, context, now } = command.data;
          const refusal = refusalBeforeCheck(state.failures, now, throttle);
          if (refusal) throw refusal;
          const at = now.toISOString();
          const failed: UnregisteredAddressEvent = {
            type: 'PasswordCheckFailed',
            data: { reason, ...context, failedAt: at },
          };
          if (!locksAt(state.failures.consecutive + 1, throttle)) return [failed];
          return [failed, { type: 'AddressLocked', data: { lockedAt: at } }];
        }
        default:
          return assertNever(command.type);
      }
    },

    evolve(state, event) {
      switch (event.type) {
        case 'PasswordCheckFailed':
          return { failures: afterFailure(state.failures, event.data.failedAt) };
        case 'AddressLocked':
          return { failures: afterLock(state.failures) };
        default:
          return assertNever(event);
      }
    },
  };
}

export const unregisteredAddressDecider = createUnregisteredAddressDecider();

/** The refusal the recorded failure stands for (there is always one). */
export function rejectionOf(events: readonly UnregisteredAddressEvent[]): ReturnType<typeof refusalForFailure> {
  const failed = events.find((event) => event.type === 'PasswordCheckFailed');
  if (!failed) throw new Error('RecordFailedPassword recorded no failure');
  return refusalForFailure(failed.data.reason);
}
