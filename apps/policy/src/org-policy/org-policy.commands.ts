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
