import type { PolicyView } from '#contracts';
import type { OrgPolicyState } from './org-policy.decider.js';

export const toPolicyView = (orgId: string, policy: OrgPolicyState): PolicyView => ({
  orgId,
  ipAllowlist: [...policy.ipAllowlist],
  mfa: { requiredForAll: policy.mfa.requiredForAll, requiredForRoles: [...policy.mfa.requiredForRoles] },
});
