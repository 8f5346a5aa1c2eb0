import { z } from 'zod';
import { rpc, type HealthReport } from './rpc.js';
import { email, empty, id, password, roles } from './schemas.js';

export interface UserView {
  readonly id: string;
  readonly email: string;
  readonly orgId: string;
  readonly roles: readonly string[];
}

export interface OrganisationView {
  readonly id: string;
  readonly name: string;
  readonly adminId: string;
}

const actor = z.object({ userId: id, orgId: id });

export const IdentityRpc = {
  checkHealth: rpc<HealthReport>()('identity.check-health', empty),
  /** Unknown email and wrong password answer the same `invalid_credentials`, in the same time. */
  verifyCredentials: rpc<UserView>()('identity.verify-credentials', z.object({ email: z.string().max(254), password })),
  getUser: rpc<UserView>()('identity.get-user', z.object({ userId: id })),
  registerUser: rpc<UserView>()(
    'identity.register-user',
    z.object({ orgId: id, email, password, roles, registeredBy: id }),
  ),
  /** Only admins of the bootstrap (operator) organisation may create organisations. */
  createOrganisation: rpc<OrganisationView>()(
    'identity.create-organisation',
    z.object({
      name: z.string().trim().min(1).max(200),
      adminEmail: email,
      adminPassword: password,
      requestedBy: actor,
    }),
  ),
} as const;
