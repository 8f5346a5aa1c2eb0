import { Query } from '@nestjs/cqrs';
import type { IdentityRpc, ParsedRequestOf, UserView } from '#contracts';

export class GetUserQuery extends Query<UserView> {
  constructor(readonly request: ParsedRequestOf<typeof IdentityRpc.getUser>) {
    super();
  }
}
