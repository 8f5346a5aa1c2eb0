import { Command } from '@nestjs/cqrs';
import type { ParsedRequestOf, ResponseOf, SessionRpc } from '#contracts';

export class StartSessionCommand extends Command<ResponseOf<typeof SessionRpc.startSession>> {
  constructor(readonly request: ParsedRequestOf<typeof SessionRpc.startSession>) {
    super();
  }
}
