import { DomainError, normaliseRoles, sameRoles } from '#contracts';
import type { Decider } from '#event-store';
import type { NormalisedEmail } from '../email-reservation/email.js';

export const userStream = (userId: string): string => `user-${userId}`;

/**
 * `passwordHash` stays in the identity store: `toIntegrationData` leaves it out
 * of anything published, and no read model or reply carries it.
 */
export type UserRegistered = {
  readonly type: 'UserRegistered';
  readonly data: {
    readonly schemaVersion: 1;
    readonly userId: string;
    readonly orgId: string;
    readonly email: NormalisedEmail;
    readonly passwordHash: string;
    readonly roles: readonly string[];
    readonly registeredAt: string;
  };
};

export type UserRolesChanged = {
  readonly type: 'UserRolesChanged';
  readonly data: {
    readonly schemaVersion: 1;
    readonly userId: string;
    readonly roles: readonly string[];
    readonly changedBy: string;
    readonly changedAt: string;
  };
};

export type UserEvent = UserRegistered | UserRolesChanged;

/** The password has passed `checkPasswordPolicy` and been hashed before the command is built. */
export type RegisterUser = {
  readonly type: 'RegisterUser';
  readonly data: {
    readonly userId: string;
    readonly orgId: string;
    readonly email: NormalisedEmail;
    readonly passwordHash: string;
    readonly roles: readonly string[];
    readonly now: Date;
  };
};

export type ChangeUserRoles = {
  readonly type: 'ChangeUserRoles';
  readonly data: {
    readonly userId: string;
    readonly roles: readonly string[];
    readonly changedBy: string;
    readonly now: Date;
  };
};

export type UserCommand = RegisterUser | ChangeUserRoles;

export type UserState =
  | { readonly status: 'unregistered' }
  | {
      readonly status: 'registered';
      readonly userId: string;
      readonly orgId: string;
      readonly email: NormalisedEmail;
      readonly passwordHash: string;
      readonly roles: readonly string[];
      readonly registeredAt: string;
    };

/** A user id is generated per registration, so meeting an existing one is a defect, not a user error. */
export class UserAlreadyExists extends DomainError {
  constructor() {
    super('internal_error', 'user id already in use');
  }
}

export class UserNotFound extends DomainError {
  constructor() {
    super('not_found', 'user not found');
  }
}

// Guards against a plaintext password reaching the event store through a wiring mistake.
const ARGON2ID_HASH = /^\$argon2id\$v=19\$/;

export const userDecider = {
  initialState: (): UserState => ({ status: 'unregistered' }),

  decide(command: UserCommand, state: UserState): UserEvent[] {
    switch (command.type) {
      case 'RegisterUser': {
        if (state.status === 'registered') throw new UserAlreadyExists();
        const { userId, orgId, email, passwordHash, roles, now } = command.data;
        if (!ARGON2ID_HASH.test(passwordHash)) throw new Error('RegisterUser needs an argon2id password hash');
        return [
          {
            type: 'UserRegistered',
            data: {
              schemaVersion: 1,
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
        return [
          {
            type: 'UserRolesChanged',
            data: { schemaVersion: 1, userId, roles, changedBy, changedAt: now.toISOString() },
          },
        ];
      }
      default: {
        const unknown: never = command;
        throw new Error(`unknown command ${(unknown as { type: string }).type}`);
      }
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
      default: {
        const unknown: never = event;
        throw new Error(`unknown event ${(unknown as { type: string }).type}`);
      }
    }
  },
} satisfies Decider<UserCommand, UserEvent, UserState>;
