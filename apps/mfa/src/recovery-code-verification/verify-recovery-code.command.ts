import { Command } from '@nestjs/cqrs';
import type { MfaRpc, ParsedRequestOf, ResponseOf } from '#contracts';

export class VerifyRecoveryCodeCommand extends Command<ResponseOf<typeof MfaRpc.verifyRecoveryCode>> {
  constructor(readonly request: ParsedRequestOf<typeof MfaRpc.verifyRecoveryCode>) {
    super();
  }
}
