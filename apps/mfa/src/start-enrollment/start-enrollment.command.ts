import { Command } from '@nestjs/cqrs';
import type { EnrollmentView, MfaRpc, ParsedRequestOf } from '#contracts';

export class StartEnrollmentCommand extends Command<EnrollmentView> {
  constructor(readonly request: ParsedRequestOf<typeof MfaRpc.startEnrollment>) {
    super();
  }
}
