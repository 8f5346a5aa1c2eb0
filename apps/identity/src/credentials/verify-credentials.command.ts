import { Command } from '@nestjs/cqrs';
import type { IdentityRpc, ParsedRequestOf, SignInView } from '#contracts';

/** A command, not a query: a failed password is recorded (it drives the delay and the lock). */
export class VerifyCredentialsCommand extends Command<SignInView> {
  constructor(readonly request: ParsedRequestOf<typeof IdentityRpc.verifyCredentials>) {
    super();
  }
}
