import type { LoginDecision } from '#contracts';
import { ipMatches } from '../ip-allowlist/cidr.js';
import type { OrgPolicyState } from '../org-policy/org-policy.decider.js';

export interface LoginAttempt {
  readonly roles: readonly string[];
  /** The client address as the gateway saw it (IPv4, IPv6 or IPv4-mapped IPv6). */
  readonly ip: string;
  readonly mfaActive: boolean;
}

/**
 * What the organisation's policy says about one login after the password
 * checked out. An empty allow-list restricts nothing. A user who must have MFA
 * but has none active is let in only to enrol (`enrollmentRequired`).
 */
export function evaluateLogin(policy: OrgPolicyState, attempt: LoginAttempt): LoginDecision {
  if (!addressAllowed(policy, attempt.ip)) return { allowed: false, reason: 'ip_not_allowed' };
  const { requiredForAll, requiredForRoles } = policy.mfa;
  const mfaRequired =
    requiredForAll || attempt.roles.some((role) => requiredForRoles.includes(role.trim().toLowerCase()));
  return { allowed: true, mfaRequired, enrollmentRequired: mfaRequired && !attempt.mfaActive };
}

/** Whether the allow-list lets `ip` sign in at all: asked before the password is checked, and again after. */
export function addressAllowed(policy: OrgPolicyState, ip: string): boolean {
  return policy.ipAllowlist.length === 0 || ipMatches(ip, policy.ipAllowlist);
}
