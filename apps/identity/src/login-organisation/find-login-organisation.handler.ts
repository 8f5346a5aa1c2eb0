import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { IdentityRpc, ResponseOf } from '#contracts';
import { INSTALLATION_STREAM } from '../bootstrap/installation.events.js';
import { InstallationRepository } from '../bootstrap/installation.repository.js';
import { SignInUsers } from '../credentials/sign-in-users.js';
import { FindLoginOrganisationQuery } from './find-login-organisation.query.js';

/**
 * `identity.find-login-organisation`: whose IP allow-list a sign-in with this
 * address meets, asked before its password is checked, so that an address
 * outside the list is refused whatever the password. An address no user has
 * meets the operator organisation's (the bootstrap's), so that it is refused
 * as that organisation's users are, not told apart by a different answer.
 * That holds fully for an installation with one organisation; with tenants
 * whose allow-lists differ from the operator's, an address outside a tenant's
 * list still tells, by its `403`, that it belongs to some user there.
 */
@QueryHandler(FindLoginOrganisationQuery)
export class FindLoginOrganisationHandler implements IQueryHandler<FindLoginOrganisationQuery> {
  constructor(
    private readonly signInUsers: SignInUsers,
    private readonly installation: InstallationRepository,
  ) {}

  async execute({
    request: { email },
  }: FindLoginOrganisationQuery): Promise<ResponseOf<typeof IdentityRpc.findLoginOrganisation>> {
    const user = await this.signInUsers.find(email);
    if (user) return { orgId: user.orgId };
    const { state } = await this.installation.load(INSTALLATION_STREAM);
    return { orgId: state.status === 'bootstrapped' ? state.orgId : null };
  }
}
