import { Command } from '@nestjs/cqrs';
import type { IdentityRpc, ParsedRequestOf, ResponseOf } from '#contracts';

export class ChangePasswordCommand extends Command<ResponseOf<typeof IdentityRpc.changePassword>> {
  constructor(readonly request: ParsedRequestOf<typeof IdentityRpc.changePassword>) {
    super();
  }
}
