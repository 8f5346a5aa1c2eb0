import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { MfaStatusView } from '#contracts';
import { CLOCK, type Clock } from '#config';
import { MfaEnrollmentRepository } from '../mfa-enrollment/mfa-enrollment.repository.js';
import { statusOf } from '../mfa-enrollment/mfa-enrollment.state.js';
import { CodeMatcher } from '../totp/code-matcher.js';
import { ActivateCommand } from './activate.command.js';

/** `mfa.activate`: the codes of two consecutive time-steps, the later one second, make the pending enrollment active. */
@CommandHandler(ActivateCommand)
export class ActivateHandler implements ICommandHandler<ActivateCommand> {
  constructor(
    private readonly enrollments: MfaEnrollmentRepository,
    private readonly codes: CodeMatcher,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ request: { userId, code1, code2 } }: ActivateCommand): Promise<MfaStatusView> {
    const now = this.clock.now();
    const state = await this.enrollments.execute(userId, (current) => ({
      type: 'Activate',
      data: {
        now,
        steps: [this.codes.stepOf(current, userId, code1, now), this.codes.stepOf(current, userId, code2, now)],
      },
    }));
    return statusOf(state, now);
  }
}
