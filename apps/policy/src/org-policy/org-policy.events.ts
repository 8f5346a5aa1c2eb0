/** One policy aggregate per organisation; an organisation without events has the default policy. */
export const orgPolicyStream = (orgId: string): string => `org-policy-${orgId}`;

/** `cidrs` are canonical (`normaliseCidrs`); an empty list lifts the restriction. */
export type IpAllowlistSet = {
  readonly type: 'IpAllowlistSet';
  readonly data: {
    readonly orgId: string;
    readonly cidrs: readonly string[];
    readonly setBy: string;
    readonly setAt: string;
  };
};

/** `requiredForRoles` are normalised (`normaliseRoles`). */
export type MfaRequirementSet = {
  readonly type: 'MfaRequirementSet';
  readonly data: {
    readonly orgId: string;
    readonly requiredForAll: boolean;
    readonly requiredForRoles: readonly string[];
    readonly setBy: string;
    readonly setAt: string;
  };
};

export type OrgPolicyEvent = IpAllowlistSet | MfaRequirementSet;
