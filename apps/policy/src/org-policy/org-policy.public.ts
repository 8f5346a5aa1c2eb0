import { integrationEventsOf, type PublishedAggregate } from '#messaging';
import { orgPolicyEventCodec } from './org-policy.codec.js';
import { orgPolicyStream, type OrgPolicyEvent } from './org-policy.events.js';

/**
 * What of each policy event other services may see on `auth.policy.events`,
 * keyed by its organisation: an allow-list, so a field added to an event later
 * stays private until it is listed here.
 */
const orgPolicyPublished: PublishedAggregate<OrgPolicyEvent> = {
  streamPrefix: orgPolicyStream(''),
  idKey: 'orgId',
  codec: orgPolicyEventCodec,
  publicForms: {
    IpAllowlistSet: ({ data: { orgId, cidrs, setBy, setAt } }) => ({ data: { orgId, cidrs, setBy, setAt } }),
    MfaRequirementSet: ({ data: { orgId, requiredForAll, requiredForRoles, setBy, setAt } }) => ({
      data: { orgId, requiredForAll, requiredForRoles, setBy, setAt },
    }),
  },
};

/** The relay's mapping to `auth.policy.events`. */
export const toPolicyIntegrationEvent = integrationEventsOf(orgPolicyPublished);
