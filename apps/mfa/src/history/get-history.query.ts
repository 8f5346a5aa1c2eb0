import { Query } from '@nestjs/cqrs';
import type { MfaHistoryView, MfaRpc, ParsedRequestOf } from '#contracts';

export class GetHistoryQuery extends Query<MfaHistoryView> {
  constructor(readonly request: ParsedRequestOf<typeof MfaRpc.getHistory>) {
    super();
  }
}
