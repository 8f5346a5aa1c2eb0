import type { AttemptContext } from '../password-attempts/password-attempts.js';
import type { UserRegistered } from './user.events.js';

/** The password has passed `checkPasswordPolicy` and been hashed before the command is built. */
export type RegisterUser = {
  readonly type: 'RegisterUser';
  readonly data: Omit<UserRegistered['data'], 'registeredAt'> & { readonly now: Date };
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

/**
 * What the handler found about one password attempt (a sign-in, or the current
 * password of a change): it matched the hash `verifiedHash`, it did not, or it
 * was not looked at because the organisation refuses the client's address.
 */
export type PasswordCheck =
  | { readonly outcome: 'matched'; readonly verifiedHash: string }
  | { readonly outcome: 'wrong_password' }
  | { readonly outcome: 'ip_not_allowed' };

export type CheckPassword = {
  readonly type: 'CheckPassword';
  readonly data: { readonly check: PasswordCheck; readonly context: AttemptContext; readonly now: Date };
};

/** After a sign-in proved the password against `verifiedHash`, made with weaker parameters: the new hash of it. */
export type RehashPassword = {
  readonly type: 'RehashPassword';
  readonly data: { readonly verifiedHash: string; readonly passwordHash: string; readonly now: Date };
};

/**
 * An admin acting on a user: `adminId`, an admin of `adminOrgId` as identity
 * knows them now (the handler read it from the admin's own events).
 */
export interface AdminAction {
  readonly adminId: string;
  readonly adminOrgId: string;
  readonly now: Date;
}

export type UnlockUser = {
  readonly type: 'UnlockUser';
  readonly data: AdminAction & { readonly reason: string };
};

/** Not the admin's own roles: an admin cannot take the admin role from themselves (and lock the organisation out). */
export type ChangeUserRoles = {
  readonly type: 'ChangeUserRoles';
  readonly data: AdminAction & { readonly roles: readonly string[] };
};

/** The new password has passed `checkPasswordPolicy` and been hashed. */
export type SetPasswordByAdmin = {
  readonly type: 'SetPasswordByAdmin';
  readonly data: AdminAction & { readonly passwordHash: string };
};

export type UserCommand =
  RegisterUser | ChangeUserRoles | ChangePassword | CheckPassword | RehashPassword | UnlockUser | SetPasswordByAdmin;
