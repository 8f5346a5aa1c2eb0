import { Query } from '@nestjs/cqrs';
import type { IdentityRpc, ParsedRequestOf, ResponseOf } from '#contracts';

export class FindLoginOrganisationQuery extends Query<ResponseOf<typeof IdentityRpc.findLoginOrganisation>> {
  constructor(readonly request: ParsedRequestOf<typeof IdentityRpc.findLoginOrganisation>) {
    super();
  }
}
