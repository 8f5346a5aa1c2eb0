export type CreateOrganisation = {
  readonly type: 'CreateOrganisation';
  readonly data: { readonly orgId: string; readonly name: string; readonly now: Date } & (
    { readonly bootstrap: true } | { readonly bootstrap: false; readonly createdBy: string }
  );
};

export type OrganisationCommand = CreateOrganisation;
