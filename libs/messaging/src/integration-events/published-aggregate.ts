import { Logger } from '@nestjs/common';
import { contractViolationsOf, type IntegrationEvent, type IntegrationEventType, type PublishedData } from '#contracts';
import type { DomainEvent, EventCodec, RecordedEvent } from '#event-store';
import { integrationEventOf } from './integration-event.js';

/** What of one event other services and auditors may see. */
export interface PublicForm<Data extends object = Readonly<Record<string, unknown>>> {
  /**
   * An allow-list of the event's fields: a field added to an event later stays
   * private until listed. Typed by the type's contract in `libs/contracts`
   * (`PublishedData`): a field the contract does not name does not compile
   * (where the form is an object literal) and is refused before publishing.
   */
  readonly data: Data;
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
  /**
   * The public form of each event type, from its current shape; null: the type
   * is never published. Only a type with a contract (`IntegrationEventType`)
   * can be published, its form typed by the contract.
   */
  readonly publicForms: {
    readonly [Type in Event['type']]: Type extends IntegrationEventType
      ? ((event: Extract<Event, { type: Type }>) => PublicForm<PublishedData<Type>>) | null
      : null;
  };
}

/** The fields of a stored event its type's contract lets out (an allow-list names only these). */
export type PublishableField<Event extends DomainEvent> = Event['type'] extends IntegrationEventType
  ? keyof Event['data'] & keyof PublishedData<Event['type']>
  : never;

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
    const toPublicForm = aggregate.publicForms[recorded.type] as ((event: DomainEvent) => PublicForm) | null;
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
  /** Events refused since the process started because they broke their contract (a bug: see below). */
  readonly invalidEvents: () => number;
}

const logger = new Logger('IntegrationEvents');

/**
 * The relay's mapping for a service that publishes `aggregates` (DESIGN.md,
 * Kafka). Each event is checked against its contract (`libs/contracts`,
 * `contractViolationsOf`) before the relay sees it. One that breaks it is a
 * bug of its public form or its contract, and is not published: the mapping
 * logs it (type, version, stream, revision, position and the paths at fault,
 * never a value) and answers null, so the relay passes over it like an event
 * that is not public: its position moves on (a relay that stopped or retried
 * on it would block every later event of the service behind one it can never
 * publish). It is not lost: it stays in the store, the service's health
 * answer counts it (`relay.invalid`), and once the bug is fixed it can be
 * published again from its logged position (`ops relay replay --from`;
 * consumers dedupe by `eventId`).
 */
export function integrationEventsOf<Events extends readonly DomainEvent[]>(
  ...aggregates: PublishedAggregates<Events>
): IntegrationEventMapping {
  const streamPrefixes = (aggregates as ReadonlyArray<PublishedAggregate<DomainEvent>>).map(
    (aggregate) => aggregate.streamPrefix,
  );
  let invalid = 0;
  const toIntegrationEvent = (recorded: RecordedEvent): IntegrationEvent | null => {
    const published = publicEventOf(aggregates, recorded);
    if (!published) return null;
    const { schemaVersion, aggregateId, idKey, occurredAt, orgId, userId, data } = published;
    const ids = { userId: { userId: aggregateId, orgId }, orgId: { orgId: aggregateId }, sessionId: { userId, orgId } };
    const event = integrationEventOf(recorded, {
      schemaVersion,
      aggregateId,
      ...ids[idKey],
      ...(occurredAt ? { occurredAt } : {}),
      data,
    });
    const violations = contractViolationsOf(event);
    if (violations.length === 0) return event;
    invalid += 1;
    logger.error(
      `${event.type} v${event.schemaVersion} of ${recorded.stream} at revision ${recorded.revision} ` +
        `(position ${recorded.position}) breaks its contract and is not published: ${violations.join(', ')}`,
    );
    return null;
  };
  return Object.assign(toIntegrationEvent, { streamPrefixes, invalidEvents: () => invalid });
}
