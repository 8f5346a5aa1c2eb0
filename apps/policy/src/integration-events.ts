import type { IntegrationEvent } from '#contracts';
import type { RecordedEvent } from '#event-store';
import { integrationEventOf, pickFields } from '#messaging';
import { orgPolicyStream, type IpAllowlistSet, type MfaRequirementSet } from './org-policy/org-policy.decider.js';

/**
 * What of each policy event other services may see on `auth.policy.events`:
 * an allow-list, so a field added to an event later stays private until it is
 * listed here.
 */
const PUBLISHED_FIELDS = {
  IpAllowlistSet: ['schemaVersion', 'orgId', 'cidrs', 'setBy', 'setAt'],
  MfaRequirementSet: ['schemaVersion', 'orgId', 'requiredForAll', 'requiredForRoles', 'setBy', 'setAt'],
} as const satisfies {
  IpAllowlistSet: ReadonlyArray<keyof IpAllowlistSet['data']>;
  MfaRequirementSet: ReadonlyArray<keyof MfaRequirementSet['data']>;
};

const isPublished = (type: string): type is keyof typeof PUBLISHED_FIELDS => Object.hasOwn(PUBLISHED_FIELDS, type);

/**
 * A stored policy event as published, keyed by its organisation; `null` for
 * anything else the store holds (snapshots, relay checkpoints, health probes,
 * another service's streams on a shared cluster).
 */
export function toPolicyIntegrationEvent(recorded: RecordedEvent): IntegrationEvent | null {
  if (!isPublished(recorded.type)) return null;
  const { orgId, schemaVersion } = recorded.data;
  if (typeof orgId !== 'string' || recorded.stream !== orgPolicyStream(orgId) || typeof schemaVersion !== 'number') {
    return null;
  }
  const data = pickFields(recorded.data, PUBLISHED_FIELDS[recorded.type]);
  return integrationEventOf(recorded, { schemaVersion, aggregateId: orgId, orgId, data });
}
