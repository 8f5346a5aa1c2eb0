import { readIntegrationEvent, type KnownIntegrationEvent } from '#contracts';

/** Where a message sits on the broker: what a report names when its content cannot be trusted. */
export interface MessagePlace {
  /** The installation's topic name (with KAFKA_TOPIC_PREFIX). */
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** A message of an integration topic, read against the typed contracts (libs/contracts). */
export type TopicMessage = MessagePlace &
  (
    | {
        readonly outcome: 'known';
        readonly event: KnownIntegrationEvent;
        /** As it arrived (fields the contract does not name included): what a comparison reads. */
        readonly raw: Readonly<Record<string, unknown>>;
        /** The envelope's, as its contract checks it (the relay sets no header for it). */
        readonly correlationId: string | undefined;
      }
    | {
        readonly outcome: 'unknown' | 'invalid';
        /** Paths and issue codes, or what is unknown: never a value of the message. */
        readonly problem: string;
        readonly raw: unknown;
        /** The envelope's ids, when it has them as strings: a broken message may still be named. */
        readonly eventId: string | undefined;
        readonly type: string | undefined;
      }
  );

/**
 * Reads one message's value: JSON, then the envelope and the type's schema of
 * its version. Never throws: a message that is not JSON or breaks its contract
 * comes back `invalid`, one of a type or version this build does not know
 * `unknown`. The correlation id is the envelope's `correlationId` (optional,
 * its pattern checked by the contract); headers are not read: the relay sets
 * none, and whoever else could write one is not to be printed unchecked.
 */
export function readTopicMessage(place: MessagePlace, value: Buffer | null): TopicMessage {
  let raw: unknown;
  try {
    raw = JSON.parse(value?.toString('utf8') ?? 'null');
  } catch {
    return { ...place, outcome: 'invalid', problem: 'not JSON', raw: undefined, eventId: undefined, type: undefined };
  }
  const reading = readIntegrationEvent(raw);
  const fields = isRecord(raw) ? raw : {};
  switch (reading.outcome) {
    case 'known':
      return {
        ...place,
        outcome: 'known',
        event: reading.event,
        raw: fields,
        correlationId: reading.event.correlationId,
      };
    case 'unknown':
      return {
        ...place,
        outcome: 'unknown',
        problem: `a ${reading.unknown} this ops build does not know`,
        raw,
        eventId: text(fields['eventId']),
        type: text(fields['type']),
      };
    case 'invalid':
      return {
        ...place,
        outcome: 'invalid',
        problem: `breaks its contract (${reading.problems})`,
        raw,
        eventId: text(fields['eventId']),
        type: text(fields['type']),
      };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' && value.length <= 200 ? value : undefined;
