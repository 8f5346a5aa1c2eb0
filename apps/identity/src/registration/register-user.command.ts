import { Command } from '@nestjs/cqrs';
import type { IdentityRpc, ParsedRequestOf, UserView } from '#contracts';

export class RegisterUserCommand extends Command<UserView> {
  constructor(readonly request: ParsedRequestOf<typeof IdentityRpc.registerUser>) {
    super();
  }
}
