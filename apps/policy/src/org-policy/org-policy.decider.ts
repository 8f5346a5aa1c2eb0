import { assertNever, normaliseRoles } from '#contracts';
import type { Decider } from '#event-store';
import { normaliseCidrs } from '../ip-allowlist/cidr.js';
import type { OrgPolicyCommand } from './org-policy.commands.js';
import { TooManyCidrs } from './org-policy.errors.js';
import type { OrgPolicyEvent } from './org-policy.events.js';

export const MAX_ALLOWLIST_ENTRIES = 1000;

/** No events yet means the default policy: no IP restriction, MFA optional. */
export type OrgPolicyState = {
  readonly ipAllowlist: readonly string[];
  readonly mfa: { readonly requiredForAll: boolean; readonly requiredForRoles: readonly string[] };
};

const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((item, index) => item === b[index]);

/** Setting what is already set appends nothing. */
export const orgPolicyDecider = {
  initialState: (): OrgPolicyState => ({ ipAllowlist: [], mfa: { requiredForAll: false, requiredForRoles: [] } }),

  decide(command: OrgPolicyCommand, state: OrgPolicyState): OrgPolicyEvent[] {
    switch (command.type) {
      case 'SetIpAllowlist': {
        const { orgId, setBy, now } = command.data;
        const cidrs = normaliseCidrs(command.data.cidrs);
        if (cidrs.length > MAX_ALLOWLIST_ENTRIES) throw new TooManyCidrs(MAX_ALLOWLIST_ENTRIES);
        if (sameList(cidrs, state.ipAllowlist)) return [];
        return [{ type: 'IpAllowlistSet', data: { orgId, cidrs, setBy, setAt: now.toISOString() } }];
      }
      case 'SetMfaRequirement': {
        const { orgId, requiredForAll, setBy, now } = command.data;
        const requiredForRoles = normaliseRoles(command.data.requiredForRoles, 'requiredForRoles');
        if (requiredForAll === state.mfa.requiredForAll && sameList(requiredForRoles, state.mfa.requiredForRoles)) {
          return [];
        }
        return [
          {
            type: 'MfaRequirementSet',
            data: { orgId, requiredForAll, requiredForRoles, setBy, setAt: now.toISOString() },
          },
        ];
      }
      default:
        return assertNever(command);
    }
  },

  evolve(state: OrgPolicyState, event: OrgPolicyEvent): OrgPolicyState {
    switch (event.type) {
      case 'IpAllowlistSet':
        return { ...state, ipAllowlist: event.data.cidrs };
      case 'MfaRequirementSet':
        return {
          ...state,
          mfa: { requiredForAll: event.data.requiredForAll, requiredForRoles: event.data.requiredForRoles },
        };
      default:
        return assertNever(event);
    }
  },
} satisfies Decider<OrgPolicyCommand, OrgPolicyEvent, OrgPolicyState>;
