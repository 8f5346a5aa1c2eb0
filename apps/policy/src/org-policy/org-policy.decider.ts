import { DomainError, normaliseRoles } from '#contracts';
import type { Decider } from '#event-store';
import { normaliseCidrs } from '../ip-allowlist/cidr.js';

/** One policy aggregate per organisation. */
export const orgPolicyStream = (orgId: string): string => `org-policy-${orgId}`;

export const MAX_ALLOWLIST_ENTRIES = 1000;

/** `cidrs` are canonical (`normaliseCidrs`); an empty list lifts the restriction. */
export type IpAllowlistSet = {
  readonly type: 'IpAllowlistSet';
  readonly data: {
    readonly schemaVersion: 1;
    readonly orgId: string;
    readonly cidrs: readonly string[];
    readonly setBy: string;
    readonly setAt: string;
  };
};

export type MfaRequirementSet = {
  readonly type: 'MfaRequirementSet';
  readonly data: {
    readonly schemaVersion: 1;
    readonly orgId: string;
    readonly requiredForAll: boolean;
    readonly requiredForRoles: readonly string[];
    readonly setBy: string;
    readonly setAt: string;
  };
};

export type OrgPolicyEvent = IpAllowlistSet | MfaRequirementSet;

export type SetIpAllowlist = {
  readonly type: 'SetIpAllowlist';
  readonly data: {
    readonly orgId: string;
    readonly cidrs: readonly string[];
    readonly setBy: string;
    readonly now: Date;
  };
};

export type SetMfaRequirement = {
  readonly type: 'SetMfaRequirement';
  readonly data: {
    readonly orgId: string;
    readonly requiredForAll: boolean;
    readonly requiredForRoles: readonly string[];
    readonly setBy: string;
    readonly now: Date;
  };
};

export type OrgPolicyCommand = SetIpAllowlist | SetMfaRequirement;

/** No events yet means the default policy: no IP restriction, MFA optional. */
export type OrgPolicyState = {
  readonly ipAllowlist: readonly string[];
  readonly mfa: { readonly requiredForAll: boolean; readonly requiredForRoles: readonly string[] };
};

export class TooManyCidrs extends DomainError {
  constructor() {
    super('validation_failed', `an IP allow-list holds at most ${MAX_ALLOWLIST_ENTRIES} entries`, { field: 'cidrs' });
  }
}

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
        if (cidrs.length > MAX_ALLOWLIST_ENTRIES) throw new TooManyCidrs();
        if (sameList(cidrs, state.ipAllowlist)) return [];
        return [{ type: 'IpAllowlistSet', data: { schemaVersion: 1, orgId, cidrs, setBy, setAt: now.toISOString() } }];
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
            data: { schemaVersion: 1, orgId, requiredForAll, requiredForRoles, setBy, setAt: now.toISOString() },
          },
        ];
      }
      default: {
        const unknown: never = command;
        throw new Error(`unknown command ${(unknown as { type: string }).type}`);
      }
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
      default: {
        const unknown: never = event;
        throw new Error(`unknown event ${(unknown as { type: string }).type}`);
      }
    }
  },
} satisfies Decider<OrgPolicyCommand, OrgPolicyEvent, OrgPolicyState>;
