import { z } from 'zod';
import { rpc, type HealthReport } from './rpc.js';
import { empty, id, roles } from './schemas.js';

export interface PolicyView {
  readonly orgId: string;
  readonly ipAllowlist: readonly string[];
  readonly mfa: { readonly requiredForAll: boolean; readonly requiredForRoles: readonly string[] };
}

export type LoginDecision =
  | { readonly allowed: false; readonly reason: 'ip_not_allowed' }
  | { readonly allowed: true; readonly mfaRequired: boolean; readonly enrollmentRequired: boolean };

export const PolicyRpc = {
  checkHealth: rpc<HealthReport>()('policy.check-health', empty),
  evaluateLogin: rpc<LoginDecision>()(
    'policy.evaluate-login',
    z.object({ orgId: id, roles, ip: z.string().max(64), mfaActive: z.boolean() }),
  ),
  getPolicy: rpc<PolicyView>()('policy.get-policy', z.object({ orgId: id })),
  setIpAllowlist: rpc<PolicyView>()(
    'policy.set-ip-allowlist',
    z.object({ orgId: id, cidrs: z.array(z.string().trim().min(1).max(64)).max(1000), setBy: id }),
  ),
  setMfaRequirement: rpc<PolicyView>()(
    'policy.set-mfa-requirement',
    z.object({ orgId: id, requiredForAll: z.boolean(), requiredForRoles: roles, setBy: id }),
  ),
} as const;
