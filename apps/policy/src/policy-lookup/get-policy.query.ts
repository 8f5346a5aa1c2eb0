import { Query } from '@nestjs/cqrs';
import type { ParsedRequestOf, PolicyRpc, PolicyView } from '#contracts';

export class GetPolicyQuery extends Query<PolicyView> {
  constructor(readonly request: ParsedRequestOf<typeof PolicyRpc.getPolicy>) {
    super();
  }
}
