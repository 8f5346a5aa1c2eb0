import { Command } from '@nestjs/cqrs';
import type { IdentityRpc, OrganisationView, ParsedRequestOf } from '#contracts';

export class CreateOrganisationCommand extends Command<OrganisationView> {
  constructor(readonly request: ParsedRequestOf<typeof IdentityRpc.createOrganisation>) {
    super();
  }
}
