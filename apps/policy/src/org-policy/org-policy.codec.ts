import { eventCodec } from '#event-store';
import type { OrgPolicyEvent } from './org-policy.events.js';

export const orgPolicyEventCodec = eventCodec<OrgPolicyEvent>({
  currentVersions: { IpAllowlistSet: 1, MfaRequirementSet: 1 },
});
