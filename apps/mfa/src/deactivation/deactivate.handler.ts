import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { MfaStatusView } from '#contracts';
import { CLOCK, type Clock } from '#config';
import { MfaEnrollmentRepository } from '../mfa-enrollment/mfa-enrollment.repository.js';
import { statusOf } from '../mfa-enrollment/mfa-enrollment.state.js';
import { CodeMatcher } from '../totp/code-matcher.js';
import { DeactivateCommand } from './deactivate.command.js';

/** `mfa.deactivate`: the user turns MFA off with a fresh code and an explicit `confirm: true`. */
@CommandHandler(DeactivateCommand)
export class DeactivateHandler implements ICommandHandler<DeactivateCommand> {
  constructor(
    private readonly enrollments: MfaEnrollmentRepository,
    private readonly codes: CodeMatcher,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ request: { userId, code, confirm, context } }: DeactivateCommand): Promise<MfaStatusView> {
    const now = this.clock.now();
    const state = await this.enrollments.execute(userId, (current) => ({
      type: 'Deactivate',
      data: { now, matchedStep: this.codes.stepOf(current, userId, code, now), confirm, context },
    }));
    return statusOf(state, now);
  }
}
