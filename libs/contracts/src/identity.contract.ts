import { z } from 'zod';
import { healthReport, rpc } from './rpc.js';
import { email, empty, id, loginContext, password, roles } from './schemas.js';

/** What a reply may say about a user: never the password hash. */
export const userView = z.object({ id, email: z.string(), orgId: id, roles: z.array(z.string()).readonly() });
export type UserView = z.infer<typeof userView>;

/** What a sign-in answers: the user, and whether they must change the password (one an admin set) first. */
export const signInView = userView.extend({ passwordChangeRequired: z.boolean() });
export type SignInView = z.infer<typeof signInView>;

export const organisationView = z.object({ id, name: z.string(), adminId: id });
export type OrganisationView = z.infer<typeof organisationView>;

/** A user as an admin of their organisation sees them: with the lock of failed passwords, never the hash. */
export const userAccountView = userView.extend({ locked: z.boolean(), registeredAt: z.string() });
export type UserAccountView = z.infer<typeof userAccountView>;

export const USER_LIST_MAX_LIMIT = 100;

const actor = z.object({ userId: id, orgId: id });

export const IdentityRpc = {
  checkHealth: rpc('identity.check-health', { request: empty, response: healthReport }),
  /**
   * The organisation whose policy applies to a sign-in with this address: the
   * user's, or for an address no user has, the operator organisation's (null
   * before the installation is bootstrapped), so the answer does not tell which
   * addresses are registered.
   */
  findLoginOrganisation: rpc('identity.find-login-organisation', {
    request: z.object({ email: z.string().max(254) }),
    response: z.object({ orgId: id.nullable() }),
  }),
  /**
   * Unknown email and wrong password answer the same `invalid_credentials`, in
   * the same time, and are throttled alike: `too_many_attempts` (with
   * `retryAfterSeconds`) and `account_locked` are answered without checking the
   * password. `addressAllowed: false` (the policy of `findLoginOrganisation`'s
   * organisation refuses the client's address) is answered `ip_not_allowed`
   * without checking it either, and counts as a failure.
   */
  verifyCredentials: rpc('identity.verify-credentials', {
    request: z.object({ email: z.string().max(254), password, addressAllowed: z.boolean(), context: loginContext }),
    response: signInView,
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
  /**
   * The current password must verify (else `invalid_credentials`, counted as a
   * failed password like a sign-in's); the new one meets the policy
   * (`weak_password`) and is not a common one (`password_too_common`).
   */
  changePassword: rpc('identity.change-password', {
    request: z.object({
      userId: id,
      currentPassword: password,
      newPassword: password,
      context: loginContext,
    }),
    response: z.object({ changedAt: z.string() }),
    sealed: { request: ['currentPassword', 'newPassword'] },
  }),
  /** An admin of the user's organisation lifts the lock of 100 failed passwords (and the delay): who and why recorded. */
  unlockUser: rpc('identity.unlock-user', {
    request: z.object({ userId: id, reason: z.string().trim().min(1).max(500), unlockedBy: actor }),
    response: z.object({ locked: z.literal(false) }),
  }),
  /** An admin of the user's organisation sets a new password, which the user must change at the next sign-in. */
  setPassword: rpc('identity.set-password', {
    request: z.object({ userId: id, password, setBy: actor }),
    response: z.object({ passwordChangeRequired: z.literal(true), setAt: z.string() }),
    sealed: { request: ['password'] },
  }),
  /** An admin of the user's organisation (not the user themselves) replaces the user's roles. */
  changeRoles: rpc('identity.change-roles', {
    request: z.object({ userId: id, roles, changedBy: actor }),
    response: userView,
  }),
  /**
   * The users of the admin's organisation, ordered by email, whose email
   * contains `query` (any case); `nextCursor` (null on the last page) is the
   * `cursor` of the next page. Opaque to clients.
   */
  listUsers: rpc('identity.list-users', {
    request: z.object({
      requestedBy: actor,
      query: z.string().trim().max(254).default(''),
      cursor: z.string().max(512).optional(),
      limit: z.number().int().min(1).max(USER_LIST_MAX_LIMIT).default(25),
    }),
    response: z.object({ users: z.array(userAccountView), nextCursor: z.string().nullable() }),
  }),
  /** One user of the admin's organisation; `not_found` for any other. */
  describeUser: rpc('identity.describe-user', {
    request: z.object({ userId: id, requestedBy: actor }),
    response: userAccountView,
  }),
} as const;
