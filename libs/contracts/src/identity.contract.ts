import { z } from 'zod';
import { healthReport, rpc } from './rpc.js';
import { email, empty, id, password, roles } from './schemas.js';

/** What a reply may say about a user: never the password hash. */
export const userView = z.object({ id, email: z.string(), orgId: id, roles: z.array(z.string()).readonly() });
export type UserView = z.infer<typeof userView>;

export const organisationView = z.object({ id, name: z.string(), adminId: id });
export type OrganisationView = z.infer<typeof organisationView>;

const actor = z.object({ userId: id, orgId: id });

export const IdentityRpc = {
  checkHealth: rpc('identity.check-health', { request: empty, response: healthReport }),
  /** Unknown email and wrong password answer the same `invalid_credentials`, in the same time. */
  verifyCredentials: rpc('identity.verify-credentials', {
    request: z.object({ email: z.string().max(254), password }),
    response: userView,
    sealed: { request: ['password'] },
  }),
  getUser: rpc('identity.get-user', { request: z.object({ userId: id }), response: userView }),
  registerUser: rpc('identity.register-user', {
    request: z.object({ orgId: id, email, password, roles, registeredBy: id }),
    response: userView,
    sealed: { request: ['password'] },
  }),
  /** Only admins of the bootstrap (operator) organisation may create organisations. */
  createOrganisation: rpc('identity.create-organisation', {
    request: z.object({
      name: z.string().trim().min(1).max(200),
      adminEmail: email,
      adminPassword: password,
      requestedBy: actor,
    }),
    response: organisationView,
    sealed: { request: ['adminPassword'] },
  }),
  /** The current password must verify (else `invalid_credentials`); the new one meets the policy (`weak_password`). */
  changePassword: rpc('identity.change-password', {
    request: z.object({ userId: id, currentPassword: password, newPassword: password }),
    response: z.object({ changedAt: z.string() }),
    sealed: { request: ['currentPassword', 'newPassword'] },
  }),
} as const;
