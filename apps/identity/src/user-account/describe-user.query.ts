import { Query } from '@nestjs/cqrs';
import type { IdentityRpc, ParsedRequestOf, ResponseOf } from '#contracts';

export class DescribeUserQuery extends Query<ResponseOf<typeof IdentityRpc.describeUser>> {
  constructor(readonly request: ParsedRequestOf<typeof IdentityRpc.describeUser>) {
    super();
  }
}
