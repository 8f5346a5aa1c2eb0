import { Command } from '@nestjs/cqrs';
import type { MfaRpc, ParsedRequestOf, ResponseOf } from '#contracts';

export class ActivateCommand extends Command<ResponseOf<typeof MfaRpc.activate>> {
  constructor(readonly request: ParsedRequestOf<typeof MfaRpc.activate>) {
    super();
  }
}
