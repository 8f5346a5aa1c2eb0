import { Command } from '@nestjs/cqrs';
import type { ParsedRequestOf, ResponseOf, SessionRpc } from '#contracts';

export class RefreshSessionCommand extends Command<ResponseOf<typeof SessionRpc.refreshSession>> {
  constructor(readonly request: ParsedRequestOf<typeof SessionRpc.refreshSession>) {
    super();
  }
}
