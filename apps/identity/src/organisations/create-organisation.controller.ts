import { randomUUID } from 'node:crypto';
import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { IdentityRpc, type OrganisationView, type ParsedRequestOf, ADMIN_ROLE } from '#contracts';
import { answer } from '#messaging';
import { UserRegistration } from '../registration/user-registration.js';
import { userStream } from '../users/user.decider.js';
import { UserRepository } from '../users/user.repository.js';
import { assertMayCreateOrganisations, NotAllowedToCreateOrganisations } from './organisation-creation-right.js';
import { normaliseOrganisationName, organisationStream } from './organisation.decider.js';
import { OrganisationRepository } from './organisation.repository.js';

type CreateOrganisationRequest = ParsedRequestOf<typeof IdentityRpc.createOrganisation>;

/**
 * A tenant and its first admin. Everything that can be refused is checked
 * before the first write; then the admin's address is reserved (so a taken
 * address creates no organisation), the organisation created, the admin
 * registered. A crash after the organisation leaves a tenant without an admin
 * (the operator creates another) and a reservation the next registration of
 * that address adopts (see `UserRegistration`).
 */
@Controller()
export class CreateOrganisationController {
  constructor(
    private readonly users: UserRepository,
    private readonly organisations: OrganisationRepository,
    private readonly registration: UserRegistration,
  ) {}

  @MessagePattern(IdentityRpc.createOrganisation.pattern)
  createOrganisation(@Payload() payload: unknown) {
    return answer(IdentityRpc.createOrganisation, payload, (request) => this.create(request));
  }

  private async create({
    name,
    adminEmail,
    adminPassword,
    requestedBy,
  }: CreateOrganisationRequest): Promise<OrganisationView> {
    await this.assertOperator(requestedBy);
    const organisationName = normaliseOrganisationName(name);
    const admin = await this.registration.prepare({ email: adminEmail, password: adminPassword, roles: [ADMIN_ROLE] });
    const adminId = await this.registration.reserveEmail(admin.email);
    const orgId = randomUUID();
    await this.organisations.handle(organisationStream(orgId), {
      type: 'CreateOrganisation',
      data: { orgId, name: organisationName, now: new Date(), bootstrap: false, createdBy: requestedBy.userId },
    });
    await this.registration.complete(adminId, admin, { orgId, registeredBy: requestedBy.userId });
    return { id: orgId, name: organisationName, adminId };
  }

  /** The actor's roles and organisation as this service knows them now, not as a token remembers them. */
  private async assertOperator(actor: CreateOrganisationRequest['requestedBy']): Promise<void> {
    const { state: user } = await this.users.load(userStream(actor.userId));
    if (user.status !== 'registered' || user.orgId !== actor.orgId) throw new NotAllowedToCreateOrganisations();
    const { state: organisation } = await this.organisations.load(organisationStream(user.orgId));
    assertMayCreateOrganisations(user, organisation);
  }
}
