/**
 * The User aggregate as a pure decider over `user-<id>`: no Nest, no I/O, no
 * clock (`now` comes with every command), no password (the handler turns the
 * password typed into a `PasswordCheck` against a hash first: argon2 is too
 * slow for a decider).
 *
 * A failed password is not thrown: it is a `PasswordCheckFailed` event that
 * must be appended (it drives the delay and the lock, and the audit);
 * `rejectionOf(events)` then gives the refusal to answer with. Refusals that
 * record nothing are thrown: an unknown user, a delay still running or a lock
 * (`password-attempts.ts` has those rules), a proof of a password that is no
 * longer the current one.
 */
import { assertNever, normaliseRoles, sameRoles } from '#contracts';
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
import { AccountLocked, refusalForFailure } from '../password-attempts/password-attempts.errors.js';
import type { AdminAction, CheckPassword, UserCommand } from './user.commands.js';
import { InvalidCredentials, OwnRolesUnchangeable, UserAlreadyExists, UserNotFound } from './user.errors.js';
import type { UserEvent, UserRegistered } from './user.events.js';

export type UserState =
  | { readonly status: 'unregistered' }
  | ({ readonly status: 'registered'; readonly failures: PasswordFailures } & UserRegistered['data']);

type RegisteredState = Extract<UserState, { status: 'registered' }>;

// Guards against a plaintext password reaching the event store through a wiring mistake.
const ARGON2ID_HASH = /^\$argon2id\$v=19\$/;

function assertArgon2idHash(passwordHash: string, command: UserCommand['type']): void {
  if (!ARGON2ID_HASH.test(passwordHash)) throw new Error(`${command} needs an argon2id password hash`);
}

function registered(state: UserState): RegisteredState {
  if (state.status !== 'registered') throw new UserNotFound();
  return state;
}

/** A user of another organisation does not exist for an admin: `not_found`, so ids cannot be probed. */
function administeredBy(state: UserState, { adminOrgId }: AdminAction): RegisteredState {
  const user = registered(state);
  if (user.orgId !== adminOrgId) throw new UserNotFound();
  return user;
}

export function createUserDecider(
  throttle: PasswordThrottlePolicy = DEFAULT_PASSWORD_THROTTLE,
): Decider<UserCommand, UserEvent, UserState> {
  assertPasswordThrottlePolicy(throttle);

  const checkPassword = ({ data: { check, context, now } }: CheckPassword, state: UserState): UserEvent[] => {
    const user = registered(state);
    const refusal = refusalBeforeCheck(user.failures, now, throttle);
    if (refusal) throw refusal;
    const at = now.toISOString();
    const { userId } = user;
    // A match against a hash changed since (a concurrent change) proves an old password: a failure.
    if (check.outcome === 'matched' && check.verifiedHash === user.passwordHash) {
      if (user.failures.consecutive === 0) return [];
      return [{ type: 'PasswordCheckSucceeded', data: { userId, ...context, succeededAt: at } }];
    }
    const reason = check.outcome === 'ip_not_allowed' ? 'ip_not_allowed' : 'wrong_password';
    const failed: UserEvent = { type: 'PasswordCheckFailed', data: { userId, reason, ...context, failedAt: at } };
    if (!locksAt(user.failures.consecutive + 1, throttle)) return [failed];
    return [failed, { type: 'UserLocked', data: { userId, lockedAt: at } }];
  };

  return {
    initialState: (): UserState => ({ status: 'unregistered' }),

    decide(command: UserCommand, state: UserState): UserEvent[] {
      switch (command.type) {
        case 'RegisterUser': {
          if (state.status === 'registered') throw new UserAlreadyExists();
          const { userId, orgId, email, passwordHash, roles, passwordChangeRequired, now } = command.data;
          assertArgon2idHash(passwordHash, command.type);
          return [
            {
              type: 'UserRegistered',
              data: {
                userId,
                orgId,
                email,
                passwordHash,
                roles: normaliseRoles(roles),
                passwordChangeRequired,
                registeredAt: now.toISOString(),
              },
            },
          ];
        }
        case 'ChangeUserRoles': {
          const user = administeredBy(state, command.data);
          const { adminId, now } = command.data;
          if (adminId === user.userId) throw new OwnRolesUnchangeable();
          const roles = normaliseRoles(command.data.roles);
          if (sameRoles(roles, user.roles)) return [];
          return [
            {
              type: 'UserRolesChanged',
              data: { userId: user.userId, roles, changedBy: adminId, changedAt: now.toISOString() },
            },
          ];
        }
        case 'ChangePassword': {
          const user = registered(state);
          const { verifiedHash, passwordHash, now } = command.data;
          // Only an admin lifts a lock, a changed password included.
          if (user.failures.locked) throw new AccountLocked();
          // Changed since it was verified (a concurrent change): the proof is of a password that no longer counts.
          if (verifiedHash !== user.passwordHash) throw new InvalidCredentials();
          assertArgon2idHash(passwordHash, command.type);
          return [
            { type: 'UserPasswordChanged', data: { userId: user.userId, passwordHash, changedAt: now.toISOString() } },
          ];
        }
        case 'CheckPassword':
          return checkPassword(command, state);
        case 'RehashPassword': {
          const user = registered(state);
          const { verifiedHash, passwordHash, now } = command.data;
          // Changed in the meantime: the new password was hashed with today's parameters anyway.
          if (verifiedHash !== user.passwordHash) return [];
          assertArgon2idHash(passwordHash, command.type);
          return [
            { type: 'PasswordRehashed', data: { userId: user.userId, passwordHash, rehashedAt: now.toISOString() } },
          ];
        }
        case 'UnlockUser': {
          const user = administeredBy(state, command.data);
          const { adminId, reason, now } = command.data;
          if (!user.failures.locked && user.failures.consecutive === 0) return [];
          return [
            {
              type: 'UserUnlocked',
              data: { userId: user.userId, unlockedBy: adminId, reason, unlockedAt: now.toISOString() },
            },
          ];
        }
        case 'SetPasswordByAdmin': {
          const user = administeredBy(state, command.data);
          const { adminId, passwordHash, now } = command.data;
          assertArgon2idHash(passwordHash, command.type);
          return [
            {
              type: 'UserPasswordSetByAdmin',
              data: { userId: user.userId, passwordHash, setBy: adminId, setAt: now.toISOString() },
            },
          ];
        }
        default:
          return assertNever(command);
      }
    },

    evolve(state: UserState, event: UserEvent): UserState {
      if (event.type === 'UserRegistered') return { status: 'registered', ...event.data, failures: NO_FAILURES };
      if (state.status !== 'registered') return state;
      switch (event.type) {
        case 'UserRolesChanged':
          return { ...state, roles: event.data.roles };
        case 'UserPasswordChanged':
          return {
            ...state,
            passwordHash: event.data.passwordHash,
            passwordChangeRequired: false,
            failures: NO_FAILURES,
          };
        case 'UserPasswordSetByAdmin':
          return {
            ...state,
            passwordHash: event.data.passwordHash,
            passwordChangeRequired: true,
            failures: NO_FAILURES,
          };
        case 'PasswordRehashed':
          return { ...state, passwordHash: event.data.passwordHash };
        case 'PasswordCheckFailed':
          return { ...state, failures: afterFailure(state.failures, event.data.failedAt) };
        case 'PasswordCheckSucceeded':
        case 'UserUnlocked':
          return { ...state, failures: NO_FAILURES };
        case 'UserLocked':
          return { ...state, failures: afterLock(state.failures) };
        default:
          return assertNever(event);
      }
    },
  };
}

/** With the default throttle (5 / 1 s / 1 h / 100): for specs and tools; the service builds its own from config. */
export const userDecider = createUserDecider();

/**
 * The refusal a handler answers with after appending the events `decide`
 * returned for a `CheckPassword`, or null when they record a success (or
 * nothing). The failure is stored before the caller is told no.
 */
export function rejectionOf(events: readonly UserEvent[]): ReturnType<typeof refusalForFailure> | null {
  const failed = events.find((event) => event.type === 'PasswordCheckFailed');
  return failed ? refusalForFailure(failed.data.reason) : null;
}
