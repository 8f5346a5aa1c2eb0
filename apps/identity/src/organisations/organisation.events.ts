export const organisationStream = (orgId: string): string => `org-${orgId}`;

/**
 * `bootstrap` marks the first organisation, created at first start from the
 * environment; it operates the installation and its admins may create the
 * other organisations (tenants). It has no `createdBy`; every other one has.
 */
export type OrganisationCreated = {
  readonly type: 'OrganisationCreated';
  readonly data: {
    readonly orgId: string;
    readonly name: string;
    readonly createdAt: string;
    readonly createdBy?: string;
    readonly bootstrap: boolean;
  };
};

export type OrganisationEvent = OrganisationCreated;
