import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { MfaRpc, ResponseOf } from '#contracts';
import { CLOCK, type Clock } from '#config';
import { MfaEnrollmentRepository } from '../mfa-enrollment/mfa-enrollment.repository.js';
import { asRecoveryCodeList, newRecoveryCodes } from '../recovery-codes/new-recovery-codes.js';
import { RecoveryCodeHasher } from '../recovery-codes/recovery-code-hasher.js';
import { CodeMatcher } from '../totp/code-matcher.js';
import { RegenerateRecoveryCodesCommand } from './regenerate-recovery-codes.command.js';

/**
 * `mfa.regenerate-recovery-codes`: a current TOTP code (replay-protected,
 * counted by the lock-out when wrong) replaces the recovery codes with a new
 * set, answered (sealed) this once; every code of the old set stops working.
 */
@CommandHandler(RegenerateRecoveryCodesCommand)
export class RegenerateRecoveryCodesHandler implements ICommandHandler<RegenerateRecoveryCodesCommand> {
  constructor(
    private readonly enrollments: MfaEnrollmentRepository,
    private readonly codes: CodeMatcher,
    private readonly recoveryCodeHasher: RecoveryCodeHasher,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({
    request: { userId, code, context },
  }: RegenerateRecoveryCodesCommand): Promise<ResponseOf<typeof MfaRpc.regenerateRecoveryCodes>> {
    const now = this.clock.now();
    const recoveryCodes = newRecoveryCodes();
    const hashed = this.recoveryCodeHasher.hash(userId, recoveryCodes);
    // A challenge of its own, like the code a password change asks for: no mfaToken is involved.
    const challengeId = randomUUID();
    await this.enrollments.execute(userId, (current) => ({
      type: 'RegenerateRecoveryCodes',
      data: {
        now,
        matchedStep: this.codes.stepOf(current, userId, code, now),
        recoveryCodes: hashed,
        challengeId,
        context,
      },
    }));
    return { recoveryCodes: asRecoveryCodeList(recoveryCodes), generatedAt: now.toISOString() };
  }
}
