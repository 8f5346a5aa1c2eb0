import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { MfaStatusView } from '#contracts';
import { CLOCK, type Clock } from '#config';
import type { MfaEnrollmentCommand } from '../mfa-enrollment/mfa-enrollment.commands.js';
import { MfaEnrollmentRepository } from '../mfa-enrollment/mfa-enrollment.repository.js';
import { recoveryCodesOf, statusOf, type MfaEnrollmentState } from '../mfa-enrollment/mfa-enrollment.state.js';
import { RecoveryCodeHasher } from '../recovery-codes/recovery-code-hasher.js';
import { CodeMatcher } from '../totp/code-matcher.js';
import { DeactivateCommand } from './deactivate.command.js';

/**
 * `mfa.deactivate`: the user turns MFA off with a fresh code and an explicit
 * `confirm: true`; or, the phone lost, with a recovery code instead (used up),
 * to enrol a new phone.
 */
@CommandHandler(DeactivateCommand)
export class DeactivateHandler implements ICommandHandler<DeactivateCommand> {
  constructor(
    private readonly enrollments: MfaEnrollmentRepository,
    private readonly codes: CodeMatcher,
    private readonly recoveryCodeHasher: RecoveryCodeHasher,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ request }: DeactivateCommand): Promise<MfaStatusView> {
    const now = this.clock.now();
    // A challenge of its own for a recovery code's use: no mfaToken is involved.
    const challengeId = randomUUID();
    const state = await this.enrollments.execute(request.userId, (current) =>
      this.commandFor(request, current, now, challengeId),
    );
    return statusOf(state, now);
  }

  private commandFor(
    { userId, code, recoveryCode, confirm, context }: DeactivateCommand['request'],
    current: MfaEnrollmentState,
    now: Date,
    challengeId: string,
  ): MfaEnrollmentCommand {
    // The request's schema lets exactly one of code and recoveryCode through, a recovery code with its context.
    if (recoveryCode !== undefined && context !== undefined) {
      const matchedIndex = this.recoveryCodeHasher.indexOf(recoveryCodesOf(current), userId, recoveryCode);
      return { type: 'DeactivateWithRecoveryCode', data: { now, matchedIndex, confirm, challengeId, context } };
    }
    const matchedStep = code === undefined ? null : this.codes.stepOf(current, userId, code, now);
    return { type: 'Deactivate', data: { now, matchedStep, confirm, context } };
  }
}
