import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { MfaRpc, ResponseOf } from '#contracts';
import { CLOCK, type Clock } from '#config';
import { MfaEnrollmentRepository } from '../mfa-enrollment/mfa-enrollment.repository.js';
import { recoveryCodesRemaining } from '../mfa-enrollment/mfa-enrollment.state.js';
import { asRecoveryCodeList, newRecoveryCodes } from '../recovery-codes/new-recovery-codes.js';
import { RecoveryCodeHasher } from '../recovery-codes/recovery-code-hasher.js';
import { CodeMatcher } from '../totp/code-matcher.js';
import { ActivateCommand } from './activate.command.js';

/**
 * `mfa.activate`: the codes of two consecutive time-steps, the later one
 * second, make the pending enrollment active, with a first set of recovery
 * codes: stored as hashes, answered (sealed) this once.
 */
@CommandHandler(ActivateCommand)
export class ActivateHandler implements ICommandHandler<ActivateCommand> {
  constructor(
    private readonly enrollments: MfaEnrollmentRepository,
    private readonly codes: CodeMatcher,
    private readonly recoveryCodeHasher: RecoveryCodeHasher,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ request: { userId, code1, code2 } }: ActivateCommand): Promise<ResponseOf<typeof MfaRpc.activate>> {
    const now = this.clock.now();
    const recoveryCodes = newRecoveryCodes();
    const hashed = this.recoveryCodeHasher.hash(userId, recoveryCodes);
    const state = await this.enrollments.execute(userId, (current) => ({
      type: 'Activate',
      data: {
        now,
        steps: [this.codes.stepOf(current, userId, code1, now), this.codes.stepOf(current, userId, code2, now)],
        recoveryCodes: hashed,
      },
    }));
    if (state.status !== 'active') throw new Error('an accepted activation left MFA inactive');
    return {
      status: 'active',
      activatedAt: state.enrollment.activatedAt,
      recoveryCodesRemaining: recoveryCodesRemaining(state.recoveryCodes),
      recoveryCodes: asRecoveryCodeList(recoveryCodes),
    };
  }
}
