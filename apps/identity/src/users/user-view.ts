import type { UserAccountView, UserView } from '#contracts';
import type { UserState } from './user.decider.js';

export type RegisteredUser = Extract<UserState, { status: 'registered' }>;

/** What a reply may say about a user: never the password hash. */
export const toUserView = (user: RegisteredUser): UserView => ({
  id: user.userId,
  email: user.email,
  orgId: user.orgId,
  roles: [...user.roles],
});

/** What an admin of the user's organisation sees: the roles, and whether failed passwords have locked the account. */
export const toUserAccountView = (user: RegisteredUser): UserAccountView => ({
  ...toUserView(user),
  locked: user.failures.locked,
  registeredAt: user.registeredAt,
});
