import { Command } from '@nestjs/cqrs';
import type { ParsedRequestOf, PolicyRpc, PolicyView } from '#contracts';

export class SetMfaRequirementCommand extends Command<PolicyView> {
  constructor(readonly request: ParsedRequestOf<typeof PolicyRpc.setMfaRequirement>) {
    super();
  }
}
