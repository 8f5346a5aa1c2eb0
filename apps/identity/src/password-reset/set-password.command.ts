import { Command } from '@nestjs/cqrs';
import type { IdentityRpc, ParsedRequestOf, ResponseOf } from '#contracts';

export class SetPasswordCommand extends Command<ResponseOf<typeof IdentityRpc.setPassword>> {
  constructor(readonly request: ParsedRequestOf<typeof IdentityRpc.setPassword>) {
    super();
  }
}
