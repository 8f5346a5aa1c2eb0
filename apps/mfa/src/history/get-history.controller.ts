import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { MfaRpc, type MfaHistoryView } from '#contracts';
import { EVENT_STORE, type EventStore } from '#event-store';
import { answer } from '#messaging';
import { mfaStreamName } from '../mfa-enrollment/mfa-enrollment.events.js';
import { publicEventOf } from '../public-events/public-event.js';

/** `mfa.get-history`: the user's MFA stream for audit, oldest first, in its public form (no secret material). */
@Controller()
export class GetHistoryController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @MessagePattern(MfaRpc.getHistory.pattern)
  getHistory(@Payload() payload: unknown) {
    return answer(MfaRpc.getHistory, payload, async ({ userId }): Promise<MfaHistoryView> => {
      const recorded = await this.store.read(mfaStreamName(userId));
      return {
        events: recorded.map((stored) => {
          const { type, occurredAt, data } = publicEventOf(stored);
          return { type, revision: stored.revision, occurredAt, data };
        }),
      };
    });
  }
}
