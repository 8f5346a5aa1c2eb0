import { assertNever, normaliseRoles, sameRoles } from '#contracts';
import type { Decider } from '#event-store';
import type { UserCommand } from './user.commands.js';
import { InvalidCredentials, UserAlreadyExists, UserNotFound } from './user.errors.js';
import type { UserEvent, UserRegistered } from './user.events.js';

export type UserState =
  { readonly status: 'unregistered' } | ({ readonly status: 'registered' } & UserRegistered['data']);

// Guards against a plaintext password reaching the event store through a wiring mistake.
const ARGON2ID_HASH = /^\$argon2id\$v=19\$/;

function assertArgon2idHash(passwordHash: string, command: UserCommand['type']): void {
  if (!ARGON2ID_HASH.test(passwordHash)) throw new Error(`${command} needs an argon2id password hash`);
}

export const userDecider = {
  initialState: (): UserState => ({ status: 'unregistered' }),

  decide(command: UserCommand, state: UserState): UserEvent[] {
    switch (command.type) {
      case 'RegisterUser': {
        if (state.status === 'registered') throw new UserAlreadyExists();
        const { userId, orgId, email, passwordHash, roles, now } = command.data;
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
              registeredAt: now.toISOString(),
            },
          },
        ];
      }
      case 'ChangeUserRoles': {
        if (state.status !== 'registered') throw new UserNotFound();
        const { userId, changedBy, now } = command.data;
        const roles = normaliseRoles(command.data.roles);
        if (sameRoles(roles, state.roles)) return [];
        return [{ type: 'UserRolesChanged', data: { userId, roles, changedBy, changedAt: now.toISOString() } }];
      }
      case 'ChangePassword': {
        if (state.status !== 'registered') throw new UserNotFound();
        const { verifiedHash, passwordHash, now } = command.data;
        // Changed since it was verified (a concurrent change): the proof is of a password that no longer counts.
        if (verifiedHash !== state.passwordHash) throw new InvalidCredentials();
        assertArgon2idHash(passwordHash, command.type);
        return [
          { type: 'UserPasswordChanged', data: { userId: state.userId, passwordHash, changedAt: now.toISOString() } },
        ];
      }
      default:
        return assertNever(command);
    }
  },

  evolve(state: UserState, event: UserEvent): UserState {
    switch (event.type) {
      case 'UserRegistered': {
        const { userId, orgId, email, passwordHash, roles, registeredAt } = event.data;
        return { status: 'registered', userId, orgId, email, passwordHash, roles, registeredAt };
      }
      case 'UserRolesChanged':
        return state.status === 'registered' ? { ...state, roles: event.data.roles } : state;
      case 'UserPasswordChanged':
        return state.status === 'registered' ? { ...state, passwordHash: event.data.passwordHash } : state;
      default:
        return assertNever(event);
    }
  },
} satisfies Decider<UserCommand, UserEvent, UserState>;
