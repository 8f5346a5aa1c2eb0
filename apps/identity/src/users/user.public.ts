import { pickFields, type PublishedAggregate } from '#messaging';
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

type Private = 'passwordHash';

/**
 * What of a user's events other services may see on `auth.identity.events`: an
 * allow-list per type, so a field added to an event later stays private until
 * it is listed here. `passwordHash` never is (the types refuse it), and a
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
  UserRegistered: ReadonlyArray<Exclude<keyof UserRegistered['data'], Private>>;
  UserRolesChanged: ReadonlyArray<keyof UserRolesChanged['data']>;
  UserPasswordChanged: ReadonlyArray<Exclude<keyof UserPasswordChanged['data'], Private>>;
  UserPasswordSetByAdmin: ReadonlyArray<Exclude<keyof UserPasswordSetByAdmin['data'], Private>>;
  PasswordCheckFailed: ReadonlyArray<keyof PasswordCheckFailed['data']>;
  PasswordCheckSucceeded: ReadonlyArray<keyof PasswordCheckSucceeded['data']>;
  UserLocked: ReadonlyArray<keyof UserLocked['data']>;
  UserUnlocked: ReadonlyArray<keyof UserUnlocked['data']>;
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
