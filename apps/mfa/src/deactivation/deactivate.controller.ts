import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { MfaRpc } from '#contracts';
import { answer } from '#messaging';
import { CLOCK, type Clock } from '../clock.js';
import { statusOf } from '../mfa-enrollment/mfa-enrollment.state.js';
import { CodeMatcher } from '../write-model/code-matcher.js';
import { MfaEnrollments } from '../write-model/mfa-enrollments.js';

/** `mfa.deactivate`: the user turns MFA off with a fresh code and an explicit `confirm: true`. */
@Controller()
export class DeactivateController {
  constructor(
    private readonly enrollments: MfaEnrollments,
    private readonly codes: CodeMatcher,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @MessagePattern(MfaRpc.deactivate.pattern)
  deactivate(@Payload() payload: unknown) {
    return answer(MfaRpc.deactivate, payload, async ({ userId, code, confirm, context }) => {
      const now = this.clock.now();
      const state = await this.enrollments.execute(userId, now, (current) => ({
        type: 'Deactivate',
        data: { now, matchedStep: this.codes.stepOf(current, userId, code, now), confirm, context },
      }));
      return statusOf(state, now);
    });
  }
}
