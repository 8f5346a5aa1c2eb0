import { z } from 'zod';
import { healthReport, rpc } from './rpc.js';
import { empty, id, roles } from './schemas.js';

export const policyView = z.object({
  orgId: id,
  ipAllowlist: z.array(z.string()).readonly(),
  mfa: z.object({ requiredForAll: z.boolean(), requiredForRoles: z.array(z.string()).readonly() }),
});
export type PolicyView = z.infer<typeof policyView>;

export const loginDecision = z.discriminatedUnion('allowed', [
  z.object({ allowed: z.literal(false), reason: z.literal('ip_not_allowed') }),
  z.object({ allowed: z.literal(true), mfaRequired: z.boolean(), enrollmentRequired: z.boolean() }),
]);
export type LoginDecision = z.infer<typeof loginDecision>;

export const PolicyRpc = {
  checkHealth: rpc('policy.check-health', { request: empty, response: healthReport }),
  evaluateLogin: rpc('policy.evaluate-login', {
    request: z.object({ orgId: id, roles, ip: z.string().max(64), mfaActive: z.boolean() }),
    response: loginDecision,
  }),
  /** Before the password is checked: whether the organisation's IP allow-list lets this address sign in at all. */
  checkLoginAddress: rpc('policy.check-login-address', {
    request: z.object({ orgId: id, ip: z.string().max(64) }),
    response: z.object({ allowed: z.boolean() }),
  }),
  getPolicy: rpc('policy.get-policy', { request: z.object({ orgId: id }), response: policyView }),
  setIpAllowlist: rpc('policy.set-ip-allowlist', {
    request: z.object({ orgId: id, cidrs: z.array(z.string().trim().min(1).max(64)).max(1000), setBy: id }),
    response: policyView,
  }),
  setMfaRequirement: rpc('policy.set-mfa-requirement', {
    request: z.object({ orgId: id, requiredForAll: z.boolean(), requiredForRoles: roles, setBy: id }),
    response: policyView,
  }),
} as const;
