import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { MfaRpc } from '#contracts';
import { answer } from '#messaging';
import { CLOCK, type Clock } from '../clock.js';
import { statusOf } from '../mfa-enrollment/mfa-enrollment.state.js';
import { MfaEnrollments } from '../write-model/mfa-enrollments.js';

/**
 * `mfa.reset`: an administrator clears a user's MFA (lost phone), recording
 * who and why. Idempotent: with nothing active or pending it records nothing
 * and answers inactive all the same.
 */
@Controller()
export class ResetController {
  constructor(
    private readonly enrollments: MfaEnrollments,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @MessagePattern(MfaRpc.reset.pattern)
  reset(@Payload() payload: unknown) {
    return answer(MfaRpc.reset, payload, async ({ userId, adminId, reason }) => {
      const now = this.clock.now();
      const state = await this.enrollments.execute(userId, now, () => ({
        type: 'Reset',
        data: { now, adminId, reason },
      }));
      return statusOf(state, now);
    });
  }
}
