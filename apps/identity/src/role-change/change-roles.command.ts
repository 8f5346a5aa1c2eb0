import { Command } from '@nestjs/cqrs';
import type { IdentityRpc, ParsedRequestOf, ResponseOf } from '#contracts';

export class ChangeRolesCommand extends Command<ResponseOf<typeof IdentityRpc.changeRoles>> {
  constructor(readonly request: ParsedRequestOf<typeof IdentityRpc.changeRoles>) {
    super();
  }
}
