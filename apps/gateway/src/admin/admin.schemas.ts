import { z } from 'zod';
import { email, id, password, roles, USER_LIST_MAX_LIMIT } from '#contracts';

export const CreateUserBody = z.object({ email, password, roles: roles.default([]) });
export type CreateUserBody = z.infer<typeof CreateUserBody>;

export const CreateOrganisationBody = z.object({
  name: z.string().trim().min(1).max(200),
  adminEmail: email,
  adminPassword: password,
});
export type CreateOrganisationBody = z.infer<typeof CreateOrganisationBody>;

export const ResetMfaBody = z.object({ reason: z.string().trim().min(1).max(500) });
export type ResetMfaBody = z.infer<typeof ResetMfaBody>;

export const UnlockUserBody = z.object({ reason: z.string().trim().min(1).max(500) });
export type UnlockUserBody = z.infer<typeof UnlockUserBody>;

/** The policy (length, not the email address, not a common password) is identity's. */
export const SetPasswordBody = z.object({ password });
export type SetPasswordBody = z.infer<typeof SetPasswordBody>;

export const IpAllowlistBody = z.object({ cidrs: z.array(z.string().trim().min(1).max(64)).max(1000) });
export type IpAllowlistBody = z.infer<typeof IpAllowlistBody>;

export const MfaRequirementBody = z.object({ requiredForAll: z.boolean(), requiredForRoles: roles });
export type MfaRequirementBody = z.infer<typeof MfaRequirementBody>;

export const UserIdParam = id;

export const FromRevisionQuery = z.coerce.number().int().min(0).optional();

export const ChangeRolesBody = z.object({ roles });
export type ChangeRolesBody = z.infer<typeof ChangeRolesBody>;

export const ListUsersQuery = z.object({
  query: z.string().trim().max(254).default(''),
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(USER_LIST_MAX_LIMIT).default(25),
});
export type ListUsersQuery = z.infer<typeof ListUsersQuery>;
