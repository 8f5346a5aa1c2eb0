import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { MFA_HISTORY_PAGE_SIZE, type MfaHistoryView } from '#contracts';
import { EVENT_STORE, type EventStore, type RecordedEvent } from '#event-store';
import { publicEventOf } from '#messaging';
import { mfaEnrollmentCodec } from '../mfa-enrollment/mfa-enrollment.codec.js';
import { mfaStreamName } from '../mfa-enrollment/mfa-enrollment.events.js';
import { publishedMfaEnrollment } from '../mfa-enrollment/mfa-enrollment.public.js';
import { GetHistoryQuery } from './get-history.query.js';

/**
 * `mfa.get-history`: the user's MFA stream for audit, oldest first, in its
 * public form (no secret material), a page at a time: a whole long stream
 * would not fit in one Kafka message.
 */
@QueryHandler(GetHistoryQuery)
export class GetHistoryHandler implements IQueryHandler<GetHistoryQuery> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({
    request: { userId, fromRevision = 0, maxCount = MFA_HISTORY_PAGE_SIZE },
  }: GetHistoryQuery): Promise<MfaHistoryView> {
    // One more than the page: whether it exists says where the next page starts.
    const recorded = await this.store.read(mfaStreamName(userId), { fromRevision, maxCount: maxCount + 1 });
    return {
      events: recorded.slice(0, maxCount).map(auditEntryOf),
      nextRevision: recorded[maxCount]?.revision ?? null,
    };
  }
}

function auditEntryOf(stored: RecordedEvent): MfaHistoryView['events'][number] {
  const published = publicEventOf([publishedMfaEnrollment], stored);
  if (!published) {
    // A type that never leaves the service (the operator's MfaSecretResealed): its type and time, nothing of it.
    if (mfaEnrollmentCodec.isEventType(stored.type)) {
      return { type: stored.type, revision: stored.revision, occurredAt: stored.recordedAt.toISOString(), data: {} };
    }
    // Not a type of this aggregate: a stream the service did not write.
    throw new Error(`${stored.stream}@${stored.revision}: ${stored.type} has no public form`);
  }
  const { type, occurredAt = stored.recordedAt.toISOString(), data } = published;
  return { type, revision: stored.revision, occurredAt, data };
}
