import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { MfaStatusView } from '#contracts';
import { CLOCK, type Clock } from '#config';
import { MfaEnrollmentRepository } from '../mfa-enrollment/mfa-enrollment.repository.js';
import { statusOf } from '../mfa-enrollment/mfa-enrollment.state.js';
import { ResetCommand } from './reset.command.js';

/**
 * `mfa.reset`: an administrator clears a user's MFA (lost phone), recording
 * who and why. Idempotent: with nothing active or pending it records nothing
 * and answers inactive all the same.
 */
@CommandHandler(ResetCommand)
export class ResetHandler implements ICommandHandler<ResetCommand> {
  constructor(
    private readonly enrollments: MfaEnrollmentRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ request: { userId, adminId, reason } }: ResetCommand): Promise<MfaStatusView> {
    const now = this.clock.now();
    const state = await this.enrollments.execute(userId, () => ({ type: 'Reset', data: { now, adminId, reason } }));
    return statusOf(state, now);
  }
}
