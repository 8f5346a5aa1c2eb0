import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { MfaRpc } from '#contracts';
import { answer } from '#messaging';
import { CLOCK, type Clock } from '../clock.js';
import { statusOf } from '../mfa-enrollment/mfa-enrollment.state.js';
import { MfaEnrollments } from '../write-model/mfa-enrollments.js';

/** `mfa.get-status`: inactive, pending (an unexpired set-up) or active since when. */
@Controller()
export class GetStatusController {
  constructor(
    private readonly enrollments: MfaEnrollments,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @MessagePattern(MfaRpc.getStatus.pattern)
  getStatus(@Payload() payload: unknown) {
    return answer(MfaRpc.getStatus, payload, async ({ userId }) =>
      statusOf(await this.enrollments.load(userId), this.clock.now()),
    );
  }
}
