import type { EncodedEvent } from './aggregate-repository.js';
import type { RecordedEvent } from './event-store.port.js';

/**
 * Between the event store and the deciders, and the only place that knows
 * about event versions. Deciders and domain types never mention a version:
 * `encode` stamps the current `schemaVersion` of the event's type on the
 * stored payload (repeated in the metadata for readers), and `decode` lifts a
 * stored payload of an older version one version at a time and hands the
 * domain the current shape. Introducing version 2 of an event is one step
 * (`steps: { UserRegistered: { 1: (v1) => v2 } }`), its current version bumped
 * and its domain type changed.
 */

export type StoredEventData = Readonly<Record<string, unknown>>;

/** Lifts a payload of version v to version v + 1 (and says so in its `schemaVersion`). */
export type UpcastStep = (data: StoredEventData) => StoredEventData;

/** An aggregate's event as its decider sees it: a type and a version-free payload. */
export type DomainEvent = { readonly type: string; readonly data: StoredEventData };

export interface EventCodecDefinition<Event extends DomainEvent> {
  /** The version this code writes, per event type: also the list of the aggregate's event types. */
  readonly currentVersions: { readonly [Type in Event['type']]: number };
  /** `steps[type][v]` lifts version v to v + 1. */
  readonly steps?: { readonly [Type in Event['type']]?: Readonly<Record<number, UpcastStep>> };
}

export interface EventCodec<Event extends DomainEvent> {
  encode(event: Event): EncodedEvent;
  /** `stream` only names where the event came from in an error. */
  decode(recorded: Pick<RecordedEvent, 'type' | 'data'> & { readonly stream?: string }): Event;
  /** Whether `type` is one of this aggregate's event types. */
  isEventType(type: string): type is Event['type'];
  /** The version `decode` lifts to and `encode` writes: the version a published form of the event carries. */
  versionOf(type: Event['type']): number;
}

/** A stored event whose type this aggregate does not have. */
export class UnknownEventType extends Error {
  override readonly name = 'UnknownEventType';
  constructor(
    readonly stream: string,
    readonly type: string,
  ) {
    super(`${stream}: unknown event type ${JSON.stringify(type)}`);
  }
}

/** A stored payload whose version is missing, newer than this code, or has no way up to the current one. */
export class UnsupportedSchemaVersion extends Error {
  override readonly name = 'UnsupportedSchemaVersion';
  constructor(
    readonly stream: string,
    readonly type: string,
    readonly schemaVersion: unknown,
  ) {
    super(`${stream}: ${type} has unsupported schemaVersion ${JSON.stringify(schemaVersion) ?? 'undefined'}`);
  }
}

export function eventCodec<Event extends DomainEvent>(definition: EventCodecDefinition<Event>): EventCodec<Event> {
  const currentVersions: Readonly<Record<string, number>> = definition.currentVersions;
  const steps: Readonly<Record<string, Readonly<Record<number, UpcastStep>> | undefined>> = definition.steps ?? {};
  const isEventType = (type: string): type is Event['type'] => Object.hasOwn(currentVersions, type);
  const versionOf = (type: string): number => {
    if (!isEventType(type)) throw new UnknownEventType('event', type);
    return currentVersions[type]!;
  };
  return {
    isEventType,
    versionOf,
    encode: (event) => {
      const schemaVersion = versionOf(event.type);
      return { type: event.type, data: { ...event.data, schemaVersion }, metadata: { schemaVersion } };
    },
    decode: ({ stream = 'event', type, data }) => {
      if (!isEventType(type)) throw new UnknownEventType(stream, type);
      const current = currentVersions[type]!;
      const stored = data['schemaVersion'];
      if (typeof stored !== 'number' || !Number.isSafeInteger(stored) || stored < 1 || stored > current) {
        throw new UnsupportedSchemaVersion(stream, type, stored);
      }
      let lifted = data;
      for (let version = stored; version < current; version += 1) {
        const step = steps[type]?.[version];
        if (!step) throw new UnsupportedSchemaVersion(stream, type, version);
        lifted = step(lifted);
        if (lifted['schemaVersion'] !== version + 1) {
          throw new UnsupportedSchemaVersion(stream, type, lifted['schemaVersion']);
        }
      }
      const { schemaVersion: _version, ...payload } = lifted;
      // Beyond type and version the payload is trusted: it is this service's own write.
      return { type, data: payload } as unknown as Event;
    },
  };
}
