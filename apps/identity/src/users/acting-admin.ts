import { ADMIN_ROLE } from '#contracts';
import type { AdminAction } from './user.commands.js';
import { NotAnAdmin } from './user.errors.js';
import { userStream } from './user.events.js';
import type { UserRepository } from './user.repository.js';

/**
 * The admin a request names (`{userId, orgId}`, set by the gateway from the
 * access token it verified), checked against the admin's own events: still
 * registered, in that organisation, with the `admin` role. A token issued
 * before a role change does not outlive it here.
 */
export async function actingAdmin(
  users: UserRepository,
  actor: { readonly userId: string; readonly orgId: string },
  now: Date,
): Promise<AdminAction> {
  const { state } = await users.load(userStream(actor.userId));
  if (state.status !== 'registered' || state.orgId !== actor.orgId || !state.roles.includes(ADMIN_ROLE)) {
    throw new NotAnAdmin();
  }
  return { adminId: state.userId, adminOrgId: state.orgId, now };
}
