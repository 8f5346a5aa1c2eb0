import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { MfaRpc } from '#contracts';
import { answer } from '#messaging';
import { CLOCK, type Clock } from '../clock.js';
import { statusOf } from '../mfa-enrollment/mfa-enrollment.state.js';
import { CodeMatcher } from '../write-model/code-matcher.js';
import { MfaEnrollments } from '../write-model/mfa-enrollments.js';

/** `mfa.activate`: the codes of two consecutive time-steps, the later one second, make the pending enrollment active. */
@Controller()
export class ActivateController {
  constructor(
    private readonly enrollments: MfaEnrollments,
    private readonly codes: CodeMatcher,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @MessagePattern(MfaRpc.activate.pattern)
  activate(@Payload() payload: unknown) {
    return answer(MfaRpc.activate, payload, async ({ userId, code1, code2 }) => {
      const now = this.clock.now();
      const state = await this.enrollments.execute(userId, now, (current) => ({
        type: 'Activate',
        data: {
          now,
          steps: [this.codes.stepOf(current, userId, code1, now), this.codes.stepOf(current, userId, code2, now)],
        },
      }));
      return statusOf(state, now);
    });
  }
}
