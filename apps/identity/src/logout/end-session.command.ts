import { Command } from '@nestjs/cqrs';
import type { ParsedRequestOf, ResponseOf, SessionRpc } from '#contracts';

export class EndSessionCommand extends Command<ResponseOf<typeof SessionRpc.endSession>> {
  constructor(readonly request: ParsedRequestOf<typeof SessionRpc.endSession>) {
    super();
  }
}
