/**
 * Version 2 of `UserRegistered` adds `passwordChangeRequired`: a version 1
 * registration is read as not required (users registered before the rule keep
 * their password).
 */
import { eventCodec } from '#event-store';
import type { UserEvent } from './user.events.js';

export const userEventCodec = eventCodec<UserEvent>({
  currentVersions: {
    UserRegistered: 2,
    UserRolesChanged: 1,
    UserPasswordChanged: 1,
    UserPasswordSetByAdmin: 1,
    PasswordRehashed: 1,
    PasswordCheckFailed: 1,
    PasswordCheckSucceeded: 1,
    UserLocked: 1,
    UserUnlocked: 1,
  },
  steps: {
    UserRegistered: { 1: (v1) => ({ ...v1, schemaVersion: 2, passwordChangeRequired: false }) },
  },
});
