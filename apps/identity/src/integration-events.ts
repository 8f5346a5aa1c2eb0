import type { OrganisationCreated } from './organisations/organisation.decider.js';
import type { UserRegistered, UserRolesChanged } from './users/user.decider.js';

/**
 * What of each identity event other services may see on `auth.identity.events`.
 * An allow-list, not a deny-list: a field added to an event later stays private
 * until it is listed here. `passwordHash` never is; `EmailReserved` is an
 * internal uniqueness guard and is not published at all.
 */
const PUBLISHED_FIELDS = {
  UserRegistered: ['schemaVersion', 'userId', 'orgId', 'email', 'roles', 'registeredAt'],
  UserRolesChanged: ['schemaVersion', 'userId', 'roles', 'changedBy', 'changedAt'],
  OrganisationCreated: ['schemaVersion', 'orgId', 'name', 'createdAt', 'createdBy', 'bootstrap'],
} as const satisfies {
  UserRegistered: ReadonlyArray<Exclude<keyof UserRegistered['data'], 'passwordHash'>>;
  UserRolesChanged: ReadonlyArray<keyof UserRolesChanged['data']>;
  OrganisationCreated: ReadonlyArray<keyof OrganisationCreated['data']>;
};

export type PublishedIdentityEventType = keyof typeof PUBLISHED_FIELDS;

const isPublished = (type: string): type is PublishedIdentityEventType => Object.hasOwn(PUBLISHED_FIELDS, type);

/**
 * The data to publish for a stored identity event, or `null` when the event
 * type is not published. Takes the stored shape (`type` + `data`), so the relay
 * can pass a recorded event as it is.
 */
export function toIntegrationData(event: {
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
}): Record<string, unknown> | null {
  if (!isPublished(event.type)) return null;
  const published: Record<string, unknown> = {};
  for (const field of PUBLISHED_FIELDS[event.type]) {
    if (Object.hasOwn(event.data, field)) published[field] = event.data[field];
  }
  return published;
}
