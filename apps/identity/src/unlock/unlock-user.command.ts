import { Command } from '@nestjs/cqrs';
import type { IdentityRpc, ParsedRequestOf, ResponseOf } from '#contracts';

export class UnlockUserCommand extends Command<ResponseOf<typeof IdentityRpc.unlockUser>> {
  constructor(readonly request: ParsedRequestOf<typeof IdentityRpc.unlockUser>) {
    super();
  }
}
