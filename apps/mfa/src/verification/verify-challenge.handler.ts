import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CLOCK, type Clock } from '#config';
import { MfaEnrollmentRepository } from '../mfa-enrollment/mfa-enrollment.repository.js';
import { CodeMatcher } from '../totp/code-matcher.js';
import { VerifyChallengeCommand } from './verify-challenge.command.js';

/**
 * `mfa.verify-challenge`: the login's second factor. A wrong and a replayed
 * code get the very same `invalid_code` answer (the stored event tells them
 * apart); of concurrent requests with one code, or with one `mfaToken`
 * (`challengeId`), the expected revision lets exactly one through.
 */
@CommandHandler(VerifyChallengeCommand)
export class VerifyChallengeHandler implements ICommandHandler<VerifyChallengeCommand> {
  constructor(
    private readonly enrollments: MfaEnrollmentRepository,
    private readonly codes: CodeMatcher,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ request: { userId, code, context, challengeId } }: VerifyChallengeCommand) {
    const now = this.clock.now();
    await this.enrollments.execute(userId, (current) => ({
      type: 'VerifyChallenge',
      data: { now, matchedStep: this.codes.stepOf(current, userId, code, now), challengeId, context },
    }));
    return { verified: true } as const;
  }
}
