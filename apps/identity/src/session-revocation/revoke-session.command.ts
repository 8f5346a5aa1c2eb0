import { Command } from '@nestjs/cqrs';
import type { ParsedRequestOf, ResponseOf, SessionRpc } from '#contracts';

export class RevokeSessionCommand extends Command<ResponseOf<typeof SessionRpc.revokeSession>> {
  constructor(readonly request: ParsedRequestOf<typeof SessionRpc.revokeSession>) {
    super();
  }
}
