import { Query } from '@nestjs/cqrs';
import type { ParsedRequestOf, PolicyRpc, ResponseOf } from '#contracts';

export class CheckLoginAddressQuery extends Query<ResponseOf<typeof PolicyRpc.checkLoginAddress>> {
  constructor(readonly request: ParsedRequestOf<typeof PolicyRpc.checkLoginAddress>) {
    super();
  }
}
