/**
 * Between the event store and the domain: stored payloads → the current event
 * shapes (`upcast`), and domain events → what is appended (`encodeMfaEvent`). Every payload carries its
 * `schemaVersion`; a stored payload is lifted one version at a time until it is
 * current. Introducing version 2 of an event is one function: add
 * `1: (v1) => v2` to its steps and bump its current version (and its type in
 * mfa-enrollment.events.ts).
 */
import type { MfaEnrollmentEvent, MfaEnrollmentEventType } from './mfa-enrollment.events.js';

export type StoredEventData = Readonly<Record<string, unknown>>;

/** Lifts a payload of version v to version v + 1 (and says so in its `schemaVersion`). */
export type UpcastStep = (data: StoredEventData) => StoredEventData;

export interface UpcasterDefinition<Type extends string> {
  readonly currentVersions: Readonly<Record<Type, number>>;
  /** `steps[type][v]` lifts version v to v + 1. */
  readonly steps: Readonly<Record<Type, Readonly<Partial<Record<number, UpcastStep>>>>>;
}

/** The event type is none of this stream's. */
export class UnknownMfaEventType extends Error {
  override readonly name = 'UnknownMfaEventType';
  constructor(readonly type: string) {
    super(`unknown MFA event type ${JSON.stringify(type)}`);
  }
}

/** The payload's version is missing, newer than this code, or has no way up to the current one. */
export class UnsupportedMfaSchemaVersion extends Error {
  override readonly name = 'UnsupportedMfaSchemaVersion';
  constructor(
    readonly type: string,
    readonly schemaVersion: unknown,
  ) {
    super(`${type}: unsupported schemaVersion ${JSON.stringify(schemaVersion) ?? 'undefined'}`);
  }
}

export function createUpcaster<Type extends string>(
  definition: UpcasterDefinition<Type>,
): (type: string, data: StoredEventData) => { type: Type; data: StoredEventData } {
  const isKnown = (type: string): type is Type => Object.hasOwn(definition.currentVersions, type);
  return (type, data) => {
    if (!isKnown(type)) throw new UnknownMfaEventType(type);
    const current = definition.currentVersions[type];
    const stored = data['schemaVersion'];
    if (typeof stored !== 'number' || !Number.isSafeInteger(stored) || stored < 1 || stored > current) {
      throw new UnsupportedMfaSchemaVersion(type, stored);
    }
    let lifted = data;
    for (let version = stored; version < current; version += 1) {
      const step = definition.steps[type][version];
      if (!step) throw new UnsupportedMfaSchemaVersion(type, version);
      lifted = step(lifted);
      if (lifted['schemaVersion'] !== version + 1) throw new UnsupportedMfaSchemaVersion(type, lifted['schemaVersion']);
    }
    return { type, data: lifted };
  };
}

const mfaUpcaster = createUpcaster<MfaEnrollmentEventType>({
  currentVersions: {
    MfaEnrollmentStarted: 1,
    MfaActivated: 1,
    MfaChallengeVerified: 1,
    MfaChallengeFailed: 1,
    MfaDeactivated: 1,
  },
  steps: {
    MfaEnrollmentStarted: {},
    MfaActivated: {},
    MfaChallengeVerified: {},
    MfaChallengeFailed: {},
    MfaDeactivated: {},
  },
});

/**
 * A stored event (type + payload as read from the store) in its current shape.
 * Payloads are our own writes, so beyond type and version they are trusted.
 */
export function upcast(type: string, data: StoredEventData): MfaEnrollmentEvent {
  return mfaUpcaster(type, data) as MfaEnrollmentEvent;
}

/** A stored event as the current domain event (the shape of AggregateRepository's `upcast`). */
export const decodeMfaEvent = (recorded: {
  readonly type: string;
  readonly data: StoredEventData;
}): MfaEnrollmentEvent => upcast(recorded.type, recorded.data);

/** A domain event as it is appended: its payload carries its version, repeated in the metadata for readers. */
export const encodeMfaEvent = (
  event: MfaEnrollmentEvent,
): { type: MfaEnrollmentEventType; data: Record<string, unknown>; metadata: Record<string, unknown> } => ({
  type: event.type,
  data: event.data,
  metadata: { schemaVersion: event.data.schemaVersion },
});
