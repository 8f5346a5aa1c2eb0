import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ADMIN_ROLE, type OrganisationView } from '#contracts';
import { CLOCK, type Clock } from '#config';
import { assertMayCreateOrganisations } from '../organisations/organisation-creation-right.js';
import { normaliseOrganisationName } from '../organisations/organisation.decider.js';
import { NotAllowedToCreateOrganisations } from '../organisations/organisation.errors.js';
import { organisationStream } from '../organisations/organisation.events.js';
import { OrganisationRepository } from '../organisations/organisation.repository.js';
import { RegistrationSteps } from '../registration/registration-steps.js';
import { userStream } from '../users/user.events.js';
import { UserRepository } from '../users/user.repository.js';
import { CreateOrganisationCommand } from './create-organisation.command.js';

type Actor = CreateOrganisationCommand['request']['requestedBy'];

/**
 * `identity.create-organisation`: a tenant and its first admin, a process over
 * three streams:
 *
 * 1. No write: the actor is an admin of the operating organisation (as stored
 *    now); the name, the admin's address, password and roles pass; the password
 *    is hashed. A refusal leaves nothing behind.
 * 2. The admin's address is reserved (adopting an interrupted registration's
 *    id): a taken address stops here, before any organisation exists.
 * 3. `OrganisationCreated` in `org-<new id>`: the commit point of the tenant.
 * 4. `UserRegistered` for its admin: the commit point of the admin.
 *
 * A crash between 2 and 3 leaves only a reservation, adopted by the next
 * registration of that address (this request retried included). A crash
 * between 3 and 4 leaves a tenant without an admin and that reservation: a
 * retry creates another tenant (ids are chosen per request) whose admin adopts
 * the reservation; the first one stays empty, and nobody can sign in to it.
 */
@CommandHandler(CreateOrganisationCommand)
export class CreateOrganisationHandler implements ICommandHandler<CreateOrganisationCommand> {
  constructor(
    private readonly users: UserRepository,
    private readonly organisations: OrganisationRepository,
    private readonly steps: RegistrationSteps,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ request }: CreateOrganisationCommand): Promise<OrganisationView> {
    const now = this.clock.now();
    const { adminEmail, adminPassword, requestedBy } = request;
    await this.assertOperator(requestedBy);
    const name = normaliseOrganisationName(request.name);
    const admin = await this.steps.prepare({ email: adminEmail, password: adminPassword, roles: [ADMIN_ROLE] });
    const adminId = await this.steps.reserveEmail(admin.email, randomUUID(), now);
    const orgId = randomUUID();
    await this.organisations.handle(organisationStream(orgId), {
      type: 'CreateOrganisation',
      data: { orgId, name, now, bootstrap: false, createdBy: requestedBy.userId },
    });
    await this.steps.register(adminId, admin, { orgId, registeredBy: requestedBy.userId, now });
    return { id: orgId, name, adminId };
  }

  /** The actor's roles and organisation as this service knows them now, not as a token remembers them. */
  private async assertOperator(actor: Actor): Promise<void> {
    const { state: user } = await this.users.load(userStream(actor.userId));
    if (user.status !== 'registered' || user.orgId !== actor.orgId) throw new NotAllowedToCreateOrganisations();
    const { state: organisation } = await this.organisations.load(organisationStream(user.orgId));
    assertMayCreateOrganisations(user, organisation);
  }
}
