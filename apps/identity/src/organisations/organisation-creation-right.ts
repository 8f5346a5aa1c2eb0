import { ADMIN_ROLE } from '#contracts';
import type { OrganisationState } from './organisation.decider.js';
import { NotAllowedToCreateOrganisations } from './organisation.errors.js';

/**
 * Tenants are created by the installation's operator: an admin of the
 * bootstrap organisation. `actorOrganisation` is the state of the actor's own
 * organisation stream.
 */
export function assertMayCreateOrganisations(
  actor: { readonly roles: readonly string[] },
  actorOrganisation: OrganisationState,
): void {
  const isOperatorOrganisation = actorOrganisation.status === 'created' && actorOrganisation.bootstrap;
  if (!isOperatorOrganisation || !actor.roles.includes(ADMIN_ROLE)) throw new NotAllowedToCreateOrganisations();
}
