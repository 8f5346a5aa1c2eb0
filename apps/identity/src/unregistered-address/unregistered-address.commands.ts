import type { AttemptContext, PasswordFailureReason } from '../password-attempts/password-attempts.js';

/** A sign-in with an address no user has: a wrong password by definition, or a refused client address. */
export type RecordFailedPassword = {
  readonly type: 'RecordFailedPassword';
  readonly data: { readonly reason: PasswordFailureReason; readonly context: AttemptContext; readonly now: Date };
};

export type UnregisteredAddressCommand = RecordFailedPassword;
