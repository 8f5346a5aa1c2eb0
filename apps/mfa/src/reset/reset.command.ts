import { Command } from '@nestjs/cqrs';
import type { MfaRpc, MfaStatusView, ParsedRequestOf } from '#contracts';

export class ResetCommand extends Command<MfaStatusView> {
  constructor(readonly request: ParsedRequestOf<typeof MfaRpc.reset>) {
    super();
  }
}
