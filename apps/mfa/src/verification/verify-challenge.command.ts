import { Command } from '@nestjs/cqrs';
import type { MfaRpc, ParsedRequestOf, ResponseOf } from '#contracts';

export class VerifyChallengeCommand extends Command<ResponseOf<typeof MfaRpc.verifyChallenge>> {
  constructor(readonly request: ParsedRequestOf<typeof MfaRpc.verifyChallenge>) {
    super();
  }
}
