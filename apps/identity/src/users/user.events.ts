import type { NormalisedEmail } from '../email-reservation/email.js';

export const userStream = (userId: string): string => `user-${userId}`;

/**
 * `passwordHash` stays in the identity store: its public form leaves it out
 * (`user.public.ts`), and no reply carries it.
 */
export type UserRegistered = {
  readonly type: 'UserRegistered';
  readonly data: {
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
    readonly userId: string;
    readonly roles: readonly string[];
    readonly changedBy: string;
    readonly changedAt: string;
  };
};

/** Published without `passwordHash`, like `UserRegistered`. */
export type UserPasswordChanged = {
  readonly type: 'UserPasswordChanged';
  readonly data: { readonly userId: string; readonly passwordHash: string; readonly changedAt: string };
};

export type UserEvent = UserRegistered | UserRolesChanged | UserPasswordChanged;
