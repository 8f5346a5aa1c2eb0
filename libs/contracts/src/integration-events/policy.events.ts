/** `auth.policy.events`: each organisation's policy as the policy service publishes it (`org-policy.public.ts`). */
import { z } from 'zod';
import { instant, integrationEventContract, publishedId } from './envelope.js';

const policy = { service: 'policy', keyedBy: 'orgId', streamPrefix: 'org-policy-' } as const;
const ids = { aggregateId: 'o-7b2e', orgId: 'o-7b2e' };

export const ipAllowlistSetV1 = integrationEventContract({
  ...policy,
  type: 'IpAllowlistSet',
  schemaVersion: 1,
  summary: "An admin set the organisation's IP allow-list (canonical CIDRs; empty: no restriction).",
  payload: z.object({
    orgId: publishedId,
    cidrs: z.array(z.string().min(1).max(64)).max(1000),
    setBy: publishedId,
    setAt: instant,
  }),
  exampleIds: ids,
  exampleData: {
    orgId: 'o-7b2e',
    cidrs: ['203.0.113.0/24', '2001:db8::/32'],
    setBy: 'u-admin-1',
    setAt: '2031-03-04T05:06:07.000Z',
  },
});

export const mfaRequirementSetV1 = integrationEventContract({
  ...policy,
  type: 'MfaRequirementSet',
  schemaVersion: 1,
  summary: 'An admin set who in the organisation must use MFA: everyone, or the given roles.',
  payload: z.object({
    orgId: publishedId,
    requiredForAll: z.boolean(),
    requiredForRoles: z.array(z.string().min(1).max(64)).max(32),
    setBy: publishedId,
    setAt: instant,
  }),
  exampleIds: ids,
  exampleData: {
    orgId: 'o-7b2e',
    requiredForAll: false,
    requiredForRoles: ['accounting', 'billing'],
    setBy: 'u-admin-1',
    setAt: '2031-03-04T05:06:07.000Z',
  },
});

/** Every event type of `auth.policy.events`, by type and schema version. */
export const POLICY_INTEGRATION_EVENTS = {
  IpAllowlistSet: { 1: ipAllowlistSetV1 },
  MfaRequirementSet: { 1: mfaRequirementSetV1 },
} as const;
