import type { EncodedEvent } from './aggregate-repository.js';
import type { RecordedEvent } from './event-store.port.js';

/**
 * Between the event store and the deciders: a domain event as it is appended
 * (`encode`: its payload carries `schemaVersion`, repeated in the metadata for
 * readers) and a stored event as the current domain event (`upcast`: a payload
 * of an older version is lifted one version at a time). Introducing version 2
 * of an event is one step: `steps: { UserRegistered: { 1: (v1) => v2 } }` and
 * its current version bumped.
 */

export type StoredEventData = Readonly<Record<string, unknown>>;

/** Lifts a payload of version v to version v + 1 (and says so in its `schemaVersion`). */
export type UpcastStep = (data: StoredEventData) => StoredEventData;

type VersionedEvent = { readonly type: string; readonly data: { readonly schemaVersion: number } };

export interface EventCodecDefinition<Event extends VersionedEvent> {
  /** The version this code writes, per event type: also the list of the aggregate's event types. */
  readonly currentVersions: { readonly [Type in Event['type']]: number };
  /** `steps[type][v]` lifts version v to v + 1. */
  readonly steps?: { readonly [Type in Event['type']]?: Readonly<Record<number, UpcastStep>> };
}

export interface EventCodec<Event> {
  encode(event: Event): EncodedEvent;
  /** `stream` only names where the event came from in an error. */
  upcast(recorded: Pick<RecordedEvent, 'type' | 'data'> & { readonly stream?: string }): Event;
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

export function eventCodec<Event extends VersionedEvent>(definition: EventCodecDefinition<Event>): EventCodec<Event> {
  const currentVersions: Readonly<Record<string, number>> = definition.currentVersions;
  const steps: Readonly<Record<string, Readonly<Record<number, UpcastStep>> | undefined>> = definition.steps ?? {};
  return {
    encode: (event) => ({
      type: event.type,
      data: { ...event.data },
      metadata: { schemaVersion: event.data.schemaVersion },
    }),
    upcast: ({ stream = 'event', type, data }) => {
      const current = Object.hasOwn(currentVersions, type) ? currentVersions[type] : undefined;
      if (current === undefined) throw new UnknownEventType(stream, type);
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
      // Beyond type and version the payload is trusted: it is this service's own write.
      return { type, data: lifted } as unknown as Event;
    },
  };
}
