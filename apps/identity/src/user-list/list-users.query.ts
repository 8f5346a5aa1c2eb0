import { Query } from '@nestjs/cqrs';
import type { IdentityRpc, ParsedRequestOf, ResponseOf } from '#contracts';

export class ListUsersQuery extends Query<ResponseOf<typeof IdentityRpc.listUsers>> {
  constructor(readonly request: ParsedRequestOf<typeof IdentityRpc.listUsers>) {
    super();
  }
}
