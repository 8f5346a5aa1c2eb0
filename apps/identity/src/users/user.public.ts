import { pickFields, type PublishableField, type PublishedAggregate } from '#messaging';
import { userEventCodec } from './user.codec.js';
import {
  USER_STREAM_PREFIX,
  type PasswordCheckFailed,
  type PasswordCheckSucceeded,
  type UserEvent,
  type UserLocked,
  type UserPasswordChanged,
  type UserPasswordSetByAdmin,
  type UserRegistered,
  type UserRolesChanged,
  type UserUnlocked,
} from './user.events.js';

/**
 * What of a user's events other services may see on `auth.identity.events`: an
 * allow-list per type, so a field added to an event later stays private until
 * it is listed here, and named by its contract
 * (libs/contracts/src/integration-events/identity.events.ts: the types refuse a
 * field it does not name). `passwordHash` never is (no contract names it), and a
 * rehash is not published at all (the same password, a new hash: nothing
 * happened that another service could act on).
 */
const PUBLISHED_FIELDS = {
  UserRegistered: ['userId', 'orgId', 'email', 'roles', 'passwordChangeRequired', 'registeredAt'],
  UserRolesChanged: ['userId', 'roles', 'changedBy', 'changedAt'],
  UserPasswordChanged: ['userId', 'changedAt'],
  UserPasswordSetByAdmin: ['userId', 'setBy', 'setAt'],
  PasswordCheckFailed: ['userId', 'reason', 'ip', 'userAgent', 'failedAt'],
  PasswordCheckSucceeded: ['userId', 'ip', 'userAgent', 'succeededAt'],
  UserLocked: ['userId', 'lockedAt'],
  UserUnlocked: ['userId', 'unlockedBy', 'reason', 'unlockedAt'],
} as const satisfies {
  UserRegistered: ReadonlyArray<PublishableField<UserRegistered>>;
  UserRolesChanged: ReadonlyArray<PublishableField<UserRolesChanged>>;
  UserPasswordChanged: ReadonlyArray<PublishableField<UserPasswordChanged>>;
  UserPasswordSetByAdmin: ReadonlyArray<PublishableField<UserPasswordSetByAdmin>>;
  PasswordCheckFailed: ReadonlyArray<PublishableField<PasswordCheckFailed>>;
  PasswordCheckSucceeded: ReadonlyArray<PublishableField<PasswordCheckSucceeded>>;
  UserLocked: ReadonlyArray<PublishableField<UserLocked>>;
  UserUnlocked: ReadonlyArray<PublishableField<UserUnlocked>>;
};

export const publishedUser: PublishedAggregate<UserEvent> = {
  streamPrefix: USER_STREAM_PREFIX,
  idKey: 'userId',
  codec: userEventCodec,
  publicForms: {
    UserRegistered: ({ data }) => ({ data: pickFields(data, PUBLISHED_FIELDS.UserRegistered), orgId: data.orgId }),
    UserRolesChanged: ({ data }) => ({ data: pickFields(data, PUBLISHED_FIELDS.UserRolesChanged) }),
    UserPasswordChanged: ({ data }) => ({ data: pickFields(data, PUBLISHED_FIELDS.UserPasswordChanged) }),
    UserPasswordSetByAdmin: ({ data }) => ({ data: pickFields(data, PUBLISHED_FIELDS.UserPasswordSetByAdmin) }),
    PasswordRehashed: null,
    PasswordCheckFailed: ({ data }) => ({ data: pickFields(data, PUBLISHED_FIELDS.PasswordCheckFailed) }),
    PasswordCheckSucceeded: ({ data }) => ({ data: pickFields(data, PUBLISHED_FIELDS.PasswordCheckSucceeded) }),
    UserLocked: ({ data }) => ({ data: pickFields(data, PUBLISHED_FIELDS.UserLocked) }),
    UserUnlocked: ({ data }) => ({ data: pickFields(data, PUBLISHED_FIELDS.UserUnlocked) }),
  },
};
