import { Query } from '@nestjs/cqrs';
import type { IdentityRpc, ParsedRequestOf, UserView } from '#contracts';

export class VerifyCredentialsQuery extends Query<UserView> {
  constructor(readonly request: ParsedRequestOf<typeof IdentityRpc.verifyCredentials>) {
    super();
  }
}
