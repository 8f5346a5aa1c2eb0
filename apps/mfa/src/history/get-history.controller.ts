import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { MFA_HISTORY_PAGE_SIZE, MfaRpc, type MfaHistoryView } from '#contracts';
import { EVENT_STORE, type EventStore } from '#event-store';
import { answer } from '#messaging';
import { mfaStreamName } from '../mfa-enrollment/mfa-enrollment.events.js';
import { publicEventOf } from '../public-events/public-event.js';

/**
 * `mfa.get-history`: the user's MFA stream for audit, oldest first, in its
 * public form (no secret material), a page at a time: a whole long stream
 * would not fit in one Kafka message.
 */
@Controller()
export class GetHistoryController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @MessagePattern(MfaRpc.getHistory.pattern)
  getHistory(@Payload() payload: unknown) {
    return answer(
      MfaRpc.getHistory,
      payload,
      async ({ userId, fromRevision = 0, maxCount = MFA_HISTORY_PAGE_SIZE }): Promise<MfaHistoryView> => {
        // One more than the page: whether it exists says where the next page starts.
        const recorded = await this.store.read(mfaStreamName(userId), { fromRevision, maxCount: maxCount + 1 });
        const page = recorded.slice(0, maxCount);
        return {
          events: page.map((stored) => {
            const { type, occurredAt, data } = publicEventOf(stored);
            return { type, revision: stored.revision, occurredAt, data };
          }),
          nextRevision: recorded[maxCount]?.revision ?? null,
        };
      },
    );
  }
}
