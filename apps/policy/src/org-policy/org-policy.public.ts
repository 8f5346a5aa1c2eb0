import type { PublishedData } from '#contracts';
import { integrationEventsOf, type PublishedAggregate } from '#messaging';
import { orgPolicyEventCodec } from './org-policy.codec.js';
import { orgPolicyStream, type OrgPolicyEvent } from './org-policy.events.js';

/**
 * What of each policy event other services may see on `auth.policy.events`,
 * keyed by its organisation: an allow-list, so a field added to an event later
 * stays private until it is listed here (and in its contract,
 * libs/contracts/src/integration-events/policy.events.ts: `satisfies` refuses
 * a field the contract does not name).
 */
export const orgPolicyPublished: PublishedAggregate<OrgPolicyEvent> = {
  streamPrefix: orgPolicyStream(''),
  idKey: 'orgId',
  codec: orgPolicyEventCodec,
  publicForms: {
    IpAllowlistSet: ({ data: { orgId, cidrs, setBy, setAt } }) => ({
      data: { orgId, cidrs, setBy, setAt } satisfies PublishedData<'IpAllowlistSet'>,
    }),
    MfaRequirementSet: ({ data: { orgId, requiredForAll, requiredForRoles, setBy, setAt } }) => ({
      data: { orgId, requiredForAll, requiredForRoles, setBy, setAt } satisfies PublishedData<'MfaRequirementSet'>,
    }),
  },
};

/** The relay's mapping to `auth.policy.events`. */
export const toPolicyIntegrationEvent = integrationEventsOf(orgPolicyPublished);
