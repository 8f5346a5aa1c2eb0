import type { UserRegistered, UserRolesChanged } from './user.events.js';

/** The password has passed `checkPasswordPolicy` and been hashed before the command is built. */
export type RegisterUser = {
  readonly type: 'RegisterUser';
  readonly data: Omit<UserRegistered['data'], 'registeredAt'> & { readonly now: Date };
};

export type ChangeUserRoles = {
  readonly type: 'ChangeUserRoles';
  readonly data: Omit<UserRolesChanged['data'], 'changedAt'> & { readonly now: Date };
};

/**
 * The user proved their current password against `verifiedHash` (argon2 is too
 * slow and too much I/O for a decider); the new one has passed
 * `checkPasswordPolicy` and been hashed.
 */
export type ChangePassword = {
  readonly type: 'ChangePassword';
  readonly data: { readonly verifiedHash: string; readonly passwordHash: string; readonly now: Date };
};

export type UserCommand = RegisterUser | ChangeUserRoles | ChangePassword;
