import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CLOCK, type Clock } from '#config';
import { MfaEnrollmentRepository } from '../mfa-enrollment/mfa-enrollment.repository.js';
import { recoveryCodesOf, recoveryCodesRemaining } from '../mfa-enrollment/mfa-enrollment.state.js';
import { RecoveryCodeHasher } from '../recovery-codes/recovery-code-hasher.js';
import { VerifyRecoveryCodeCommand } from './verify-recovery-code.command.js';

/**
 * `mfa.verify-recovery-code`: the login's second factor with a recovery code.
 * The handler only finds which hash of the set the typed code matches; the
 * decider says whether that is a success, a used code or a wrong one, under
 * the lock-out of TOTP codes. Of concurrent requests with one code, the
 * expected revision lets exactly one through.
 */
@CommandHandler(VerifyRecoveryCodeCommand)
export class VerifyRecoveryCodeHandler implements ICommandHandler<VerifyRecoveryCodeCommand> {
  constructor(
    private readonly enrollments: MfaEnrollmentRepository,
    private readonly recoveryCodeHasher: RecoveryCodeHasher,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ request: { userId, recoveryCode, context, challengeId } }: VerifyRecoveryCodeCommand) {
    const now = this.clock.now();
    const state = await this.enrollments.execute(userId, (current) => ({
      type: 'VerifyRecoveryCode',
      data: {
        now,
        matchedIndex: this.recoveryCodeHasher.indexOf(recoveryCodesOf(current), userId, recoveryCode),
        challengeId,
        context,
      },
    }));
    const remaining = state.status === 'active' ? recoveryCodesRemaining(state.recoveryCodes) : 0;
    return { verified: true, recoveryCodesRemaining: remaining } as const;
  }
}
