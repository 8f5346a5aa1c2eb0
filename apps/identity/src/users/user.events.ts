import type { NormalisedEmail } from '../email-reservation/email.js';
import type { PasswordFailureReason } from '../password-attempts/password-attempts.js';

export const USER_STREAM_PREFIX = 'user-';
export const userStream = (userId: string): string => `${USER_STREAM_PREFIX}${userId}`;

/**
 * `passwordHash` stays in the identity store: its public form leaves it out
 * (`user.public.ts`), and no reply carries it. `passwordChangeRequired`: the
 * password was chosen by someone else (an admin creating the user), so the user
 * must replace it at the first sign-in (version 2; a version 1 registration is
 * read as not required: the rule came after it).
 */
export type UserRegistered = {
  readonly type: 'UserRegistered';
  readonly data: {
    readonly userId: string;
    readonly orgId: string;
    readonly email: NormalisedEmail;
    readonly passwordHash: string;
    readonly roles: readonly string[];
    readonly passwordChangeRequired: boolean;
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

/** By the user, proving the current password. Published without `passwordHash`, like `UserRegistered`. */
export type UserPasswordChanged = {
  readonly type: 'UserPasswordChanged';
  readonly data: { readonly userId: string; readonly passwordHash: string; readonly changedAt: string };
};

/** By an admin of the user's organisation: the user must change it at the next sign-in; unlocks. */
export type UserPasswordSetByAdmin = {
  readonly type: 'UserPasswordSetByAdmin';
  readonly data: {
    readonly userId: string;
    readonly passwordHash: string;
    readonly setBy: string;
    readonly setAt: string;
  };
};

/** The same password, hashed again with today's parameters after a sign-in proved it. */
export type PasswordRehashed = {
  readonly type: 'PasswordRehashed';
  readonly data: { readonly userId: string; readonly passwordHash: string; readonly rehashedAt: string };
};

/**
 * A counted failed password: a wrong one, or any from an address the
 * organisation's allow-list refuses (its password not looked at). Attempts
 * refused for a delay or a lock are not recorded.
 */
export type PasswordCheckFailed = {
  readonly type: 'PasswordCheckFailed';
  readonly data: {
    readonly userId: string;
    readonly reason: PasswordFailureReason;
    readonly ip: string;
    readonly userAgent: string;
    readonly failedAt: string;
  };
};

/** A correct password after failures: the count starts again (not recorded when there were none). */
export type PasswordCheckSucceeded = {
  readonly type: 'PasswordCheckSucceeded';
  readonly data: {
    readonly userId: string;
    readonly ip: string;
    readonly userAgent: string;
    readonly succeededAt: string;
  };
};

/** Appended with the failure that reached PASSWORD_LOCK_AFTER_FAILURES. */
export type UserLocked = {
  readonly type: 'UserLocked';
  readonly data: { readonly userId: string; readonly lockedAt: string };
};

/** By an admin of the user's organisation: lifts the lock and the delay, and says why. */
export type UserUnlocked = {
  readonly type: 'UserUnlocked';
  readonly data: {
    readonly userId: string;
    readonly unlockedBy: string;
    readonly reason: string;
    readonly unlockedAt: string;
  };
};

export type UserEvent =
  | UserRegistered
  | UserRolesChanged
  | UserPasswordChanged
  | UserPasswordSetByAdmin
  | PasswordRehashed
  | PasswordCheckFailed
  | PasswordCheckSucceeded
  | UserLocked
  | UserUnlocked;
