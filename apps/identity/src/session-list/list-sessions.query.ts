import { Query } from '@nestjs/cqrs';
import type { ParsedRequestOf, ResponseOf, SessionRpc } from '#contracts';

export class ListSessionsQuery extends Query<ResponseOf<typeof SessionRpc.listSessions>> {
  constructor(readonly request: ParsedRequestOf<typeof SessionRpc.listSessions>) {
    super();
  }
}
