import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { MfaStatusView } from '#contracts';
import { CLOCK, type Clock } from '#config';
import { MfaEnrollmentRepository } from '../mfa-enrollment/mfa-enrollment.repository.js';
import { statusOf } from '../mfa-enrollment/mfa-enrollment.state.js';
import { GetStatusQuery } from './get-status.query.js';

/** `mfa.get-status`: inactive, pending (an unexpired set-up) or active since when. */
@QueryHandler(GetStatusQuery)
export class GetStatusHandler implements IQueryHandler<GetStatusQuery> {
  constructor(
    private readonly enrollments: MfaEnrollmentRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ request: { userId } }: GetStatusQuery): Promise<MfaStatusView> {
    return statusOf(await this.enrollments.stateOf(userId), this.clock.now());
  }
}
