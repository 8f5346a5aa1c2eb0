import { Command } from '@nestjs/cqrs';
import type { MfaRpc, ParsedRequestOf, ResponseOf } from '#contracts';

export class RegenerateRecoveryCodesCommand extends Command<ResponseOf<typeof MfaRpc.regenerateRecoveryCodes>> {
  constructor(readonly request: ParsedRequestOf<typeof MfaRpc.regenerateRecoveryCodes>) {
    super();
  }
}
