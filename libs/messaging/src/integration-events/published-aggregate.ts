import type { IntegrationEvent } from '#contracts';
import type { DomainEvent, EventCodec, RecordedEvent } from '#event-store';
import { integrationEventOf } from './integration-event.js';

/** What of one event other services and auditors may see. */
export interface PublicForm {
  /** An allow-list of the event's fields: a field added to an event later stays private until listed. */
  readonly data: Record<string, unknown>;
  /** When it happened by the service's clock; default: when it was stored. */
  readonly occurredAt?: string;
  /** The organisation, on a user's event that names it. */
  readonly orgId?: string;
  /** The user, on an event of an aggregate of theirs that is not the user itself (a session). */
  readonly userId?: string;
}

/** How one aggregate's events leave its service. */
export interface PublishedAggregate<Event extends DomainEvent> {
  /** `mfa-` for the streams `mfa-<userId>`. */
  readonly streamPrefix: string;
  /**
   * Which id the aggregate's id is on the integration event (it is also the
   * Kafka key): a user's, an organisation's, or a session's (whose events name
   * their user in the public form).
   */
  readonly idKey: 'userId' | 'orgId' | 'sessionId';
  readonly codec: EventCodec<Event>;
  /** The public form of each event type, from its current shape; null: the type is never published. */
  readonly publicForms: {
    readonly [Type in Event['type']]: ((event: Extract<Event, { type: Type }>) => PublicForm) | null;
  };
}

/** One `PublishedAggregate` per event union, each typed by its own events. */
export type PublishedAggregates<Events extends readonly DomainEvent[]> = {
  readonly [I in keyof Events]: PublishedAggregate<Events[I]>;
};

export interface PublicEvent extends PublicForm {
  readonly type: string;
  readonly schemaVersion: number;
  readonly aggregateId: string;
  readonly idKey: PublishedAggregate<DomainEvent>['idKey'];
}

/**
 * The public form of a stored event of one of `aggregates`, lifted to its
 * current version first (so a v1 stored event is published as the current
 * version), or null: not one of their streams and types (snapshots,
 * checkpoints, another service's streams on a shared store), or not published.
 */
export function publicEventOf<Events extends readonly DomainEvent[]>(
  aggregates: PublishedAggregates<Events>,
  recorded: RecordedEvent,
): PublicEvent | null {
  for (const aggregate of aggregates as ReadonlyArray<PublishedAggregate<DomainEvent>>) {
    const { streamPrefix, codec } = aggregate;
    if (!recorded.stream.startsWith(streamPrefix) || !codec.isEventType(recorded.type)) continue;
    const toPublicForm = aggregate.publicForms[recorded.type];
    if (!toPublicForm) return null;
    const aggregateId = recorded.stream.slice(streamPrefix.length);
    const event = codec.decode(recorded);
    // An event naming another aggregate than its stream's is not this aggregate's (a copy, a stray write).
    const namedId = event.data[aggregate.idKey];
    if (namedId !== undefined && namedId !== aggregateId) return null;
    const schemaVersion = codec.versionOf(recorded.type);
    const { data, ...rest } = toPublicForm(event);
    return {
      type: recorded.type,
      schemaVersion,
      aggregateId,
      idKey: aggregate.idKey,
      ...rest,
      data: { schemaVersion, ...data },
    };
  }
  return null;
}

/** What a relay publishes: the public form of a stored event, or null; and the streams that can hold one. */
export interface IntegrationEventMapping {
  (recorded: RecordedEvent): IntegrationEvent | null;
  /** The aggregates' stream prefixes: the relay's subscription is filtered to them. */
  readonly streamPrefixes: readonly string[];
}

/** The relay's mapping for a service that publishes `aggregates` (DESIGN.md, Kafka). */
export function integrationEventsOf<Events extends readonly DomainEvent[]>(
  ...aggregates: PublishedAggregates<Events>
): IntegrationEventMapping {
  const streamPrefixes = (aggregates as ReadonlyArray<PublishedAggregate<DomainEvent>>).map(
    (aggregate) => aggregate.streamPrefix,
  );
  const toIntegrationEvent = (recorded: RecordedEvent): IntegrationEvent | null => {
    const published = publicEventOf(aggregates, recorded);
    if (!published) return null;
    const { schemaVersion, aggregateId, idKey, occurredAt, orgId, userId, data } = published;
    const ids = { userId: { userId: aggregateId, orgId }, orgId: { orgId: aggregateId }, sessionId: { userId, orgId } };
    return integrationEventOf(recorded, {
      schemaVersion,
      aggregateId,
      ...ids[idKey],
      ...(occurredAt ? { occurredAt } : {}),
      data,
    });
  };
  return Object.assign(toIntegrationEvent, { streamPrefixes });
}
