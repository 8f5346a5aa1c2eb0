import { Query } from '@nestjs/cqrs';
import type { MfaRpc, MfaStatusView, ParsedRequestOf } from '#contracts';

export class GetStatusQuery extends Query<MfaStatusView> {
  constructor(readonly request: ParsedRequestOf<typeof MfaRpc.getStatus>) {
    super();
  }
}
