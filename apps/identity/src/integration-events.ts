import type { IntegrationEvent } from '#contracts';
import type { RecordedEvent } from '#event-store';
import { integrationEventOf, pickFields } from '#messaging';
import { organisationStream, type OrganisationCreated } from './organisations/organisation.decider.js';
import { userStream, type UserRegistered, type UserRolesChanged } from './users/user.decider.js';

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
  return isPublished(event.type) ? pickFields(event.data, PUBLISHED_FIELDS[event.type]) : null;
}

/**
 * A stored identity event as published on `auth.identity.events`, or `null`
 * for what is not published: email reservations, the installation record,
 * snapshots, relay checkpoints, anything outside a `user-` or `org-` stream.
 * Keyed by the user (user events) or the organisation (organisation events).
 */
export function toIdentityIntegrationEvent(recorded: RecordedEvent): IntegrationEvent | null {
  const data = toIntegrationData(recorded);
  if (!data) return null;
  const userId = typeof data['userId'] === 'string' ? data['userId'] : undefined;
  const orgId = typeof data['orgId'] === 'string' ? data['orgId'] : undefined;
  const isOrganisationEvent = recorded.type === 'OrganisationCreated';
  const aggregateId = isOrganisationEvent ? orgId : userId;
  if (!aggregateId) return null;
  // The same type in any other stream (a snapshot, another service's stream on a shared cluster) is not published.
  const ownStream = isOrganisationEvent ? organisationStream(aggregateId) : userStream(aggregateId);
  const schemaVersion = data['schemaVersion'];
  if (recorded.stream !== ownStream || typeof schemaVersion !== 'number') return null;
  return integrationEventOf(recorded, { schemaVersion, aggregateId, userId, orgId, data });
}
