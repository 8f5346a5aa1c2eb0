import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { MfaRpc } from '#contracts';
import { answer } from '#messaging';
import { CLOCK, type Clock } from '../clock.js';
import { CodeMatcher } from '../write-model/code-matcher.js';
import { MfaEnrollments } from '../write-model/mfa-enrollments.js';

/**
 * `mfa.verify-challenge`: the login's second factor. A wrong and a replayed
 * code get the very same `invalid_code` answer (the stored event tells them
 * apart); of concurrent requests with one code, the expected revision lets
 * exactly one through.
 */
@Controller()
export class VerifyChallengeController {
  constructor(
    private readonly enrollments: MfaEnrollments,
    private readonly codes: CodeMatcher,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @MessagePattern(MfaRpc.verifyChallenge.pattern)
  verifyChallenge(@Payload() payload: unknown) {
    return answer(MfaRpc.verifyChallenge, payload, async ({ userId, code, context }) => {
      const now = this.clock.now();
      await this.enrollments.execute(userId, now, (current) => ({
        type: 'VerifyChallenge',
        data: { now, matchedStep: this.codes.stepOf(current, userId, code, now), context },
      }));
      return { verified: true } as const;
    });
  }
}
