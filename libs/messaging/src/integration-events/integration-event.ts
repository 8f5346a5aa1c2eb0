import type { IntegrationEvent } from '#contracts';
import {
  ACTING_SESSION_METADATA,
  CAUSATION_ID_METADATA,
  CORRELATION_ID_METADATA,
  type RecordedEvent,
} from '#event-store';

/** What a service says about one of its stored events; the envelope (ids, source position) comes from the store. */
export interface IntegrationEventParts {
  readonly schemaVersion: number;
  readonly aggregateId: string;
  readonly userId?: string;
  readonly orgId?: string;
  /** When it happened by the service's clock; default: when it was stored. */
  readonly occurredAt?: string;
  readonly data: Record<string, unknown>;
}

/** The one shape every service publishes on `auth.*.events` (DESIGN.md, Kafka). */
export function integrationEventOf(recorded: RecordedEvent, parts: IntegrationEventParts): IntegrationEvent {
  const actingSessionId = recorded.metadata[ACTING_SESSION_METADATA];
  const correlationId = recorded.metadata[CORRELATION_ID_METADATA];
  const causationId = recorded.metadata[CAUSATION_ID_METADATA];
  return {
    eventId: recorded.id,
    type: recorded.type,
    schemaVersion: parts.schemaVersion,
    aggregateId: parts.aggregateId,
    ...(parts.userId ? { userId: parts.userId } : {}),
    ...(parts.orgId ? { orgId: parts.orgId } : {}),
    ...(typeof actingSessionId === 'string' ? { actingSessionId } : {}),
    ...(typeof correlationId === 'string' ? { correlationId } : {}),
    ...(typeof causationId === 'string' ? { causationId } : {}),
    occurredAt: parts.occurredAt ?? recorded.recordedAt.toISOString(),
    source: { stream: recorded.stream, revision: recorded.revision, position: recorded.position.toString() },
    data: parts.data,
  };
}

/** Only the listed fields of a payload: an allow-list, so a field added to an event later stays private until listed. */
export function pickFields<Data extends object, Field extends keyof Data & string>(
  data: Data,
  fields: readonly Field[],
): Pick<Data, Field> {
  const picked: Partial<Pick<Data, Field>> = {};
  for (const field of fields) if (Object.hasOwn(data, field)) picked[field] = data[field];
  return picked as Pick<Data, Field>;
}
