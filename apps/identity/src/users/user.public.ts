import { pickFields, type PublishedAggregate } from '#messaging';
import { userEventCodec } from './user.codec.js';
import type { UserEvent, UserPasswordChanged, UserRegistered, UserRolesChanged } from './user.events.js';

type Private = 'passwordHash';

/**
 * What of a user's events other services may see on `auth.identity.events`: an
 * allow-list per type, so a field added to an event later stays private until
 * it is listed here. `passwordHash` never is (the types refuse it).
 */
const PUBLISHED_FIELDS = {
  UserRegistered: ['userId', 'orgId', 'email', 'roles', 'registeredAt'],
  UserRolesChanged: ['userId', 'roles', 'changedBy', 'changedAt'],
  UserPasswordChanged: ['userId', 'changedAt'],
} as const satisfies {
  UserRegistered: ReadonlyArray<Exclude<keyof UserRegistered['data'], Private>>;
  UserRolesChanged: ReadonlyArray<keyof UserRolesChanged['data']>;
  UserPasswordChanged: ReadonlyArray<Exclude<keyof UserPasswordChanged['data'], Private>>;
};

export const publishedUser: PublishedAggregate<UserEvent> = {
  streamPrefix: 'user-',
  idKey: 'userId',
  codec: userEventCodec,
  publicForms: {
    UserRegistered: ({ data }) => ({ data: pickFields(data, PUBLISHED_FIELDS.UserRegistered), orgId: data.orgId }),
    UserRolesChanged: ({ data }) => ({ data: pickFields(data, PUBLISHED_FIELDS.UserRolesChanged) }),
    UserPasswordChanged: ({ data }) => ({ data: pickFields(data, PUBLISHED_FIELDS.UserPasswordChanged) }),
  },
};
