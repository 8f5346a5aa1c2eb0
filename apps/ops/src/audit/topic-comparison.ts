/**
 * `verify`'s comparison of the stores with the integration topics: every
 * event a service's relay should have published (its `.public.ts` mapping,
 * the very function the relay runs) is on its topic, and every message on a
 * topic is one of them, with the same content. Fed the stores' events and the
 * topics' messages in any order; keeps one small record per published event.
 */
import type { IntegrationEvent } from '#contracts';
import { canonicalJson, type RecordedEvent } from '#event-store';
import type { ServiceName } from '../audited-services.js';
import { mayHaveExpired, type TopicRetention } from '../kafka/retained-log.js';
import type { TopicMessage } from '../kafka/topic-message.js';
import type { Finding } from './store-audit.js';

/** The fields of an integration event compared with the message: the envelope the relay fills, and the data. */
const COMPARED = [
  'eventId',
  'type',
  'schemaVersion',
  'aggregateId',
  'userId',
  'orgId',
  'actingSessionId',
  'occurredAt',
  'source',
  'data',
] as const;

interface Expected {
  readonly service: ServiceName;
  readonly stream: string;
  readonly revision: number;
  readonly position: bigint;
  readonly recordedAt: Date;
  /** The Kafka key the relay publishes it under: which partition it went to. */
  readonly key: string;
  readonly type: string;
  readonly schemaVersion: number;
  /** Canonical JSON of each compared field (absent: undefined). */
  readonly fields: ReadonlyArray<string | undefined>;
  seen: number;
}

export interface TopicComparisonSummary {
  /** Events of the stores the relays publish. */
  readonly expected: number;
  /** Messages read from the topics. */
  readonly messages: number;
  /** Events found on their topic. */
  readonly found: number;
  /** Messages that repeat an event already seen (at-least-once delivery: normal). */
  readonly duplicates: number;
  /** Events not on their topic yet, after the relay's checkpoint: the relay's lag, not a problem. */
  readonly pending: number;
  /**
   * Events up to the relay's checkpoint not on their topic any more: recorded
   * before the oldest message the broker retains on their partition, whose
   * earlier messages retention deleted (kafka/retained-log.ts). Not a problem.
   */
  readonly expired: number;
  /** Messages published under an older schema version of their type than the store's event is lifted to today. */
  readonly olderVersions: number;
}

export class TopicComparison {
  private readonly expected = new Map<string, Expected>();
  private readonly findings: Finding[] = [];
  private messages = 0;
  private duplicates = 0;
  private olderVersions = 0;

  /**
   * @param checkpoints each relay's checkpoint: events after it need not be
   *   on the topic yet (undefined: the relay has saved none, so none need be).
   */
  constructor(
    private readonly topicOf: (service: ServiceName) => string,
    private readonly checkpoints: ReadonlyMap<ServiceName, bigint | undefined>,
  ) {}

  /** A stored event and what its service's relay publishes of it. */
  expect(service: ServiceName, recorded: RecordedEvent, published: IntegrationEvent): void {
    this.expected.set(published.eventId, {
      service,
      stream: recorded.stream,
      revision: recorded.revision,
      position: recorded.position,
      recordedAt: recorded.recordedAt,
      key: published.aggregateId,
      type: published.type,
      schemaVersion: published.schemaVersion,
      fields: fieldsOf(published as unknown as Record<string, unknown>),
      seen: 0,
    });
  }

  /** A message of the topic of `service`. */
  observe(service: ServiceName, message: TopicMessage): void {
    this.messages += 1;
    const where = `${message.topic} partition ${message.partition} offset ${message.offset}`;
    const raw = isRecord(message.raw) ? message.raw : {};
    const eventId = message.outcome === 'known' ? message.event.eventId : message.eventId;
    const source = isRecord(raw['source']) ? raw['source'] : {};
    const named = {
      stream: typeof source['stream'] === 'string' ? source['stream'] : where,
      revision: typeof source['revision'] === 'number' ? source['revision'] : null,
    };
    if (message.outcome !== 'known') {
      this.report(service, named.stream, named.revision, `the message at ${where} ${message.problem}` + idOf(message));
    }
    const expected = eventId === undefined ? undefined : this.expected.get(eventId);
    if (!expected) {
      this.report(
        service,
        named.stream,
        named.revision,
        `the message at ${where} (event ${eventId ?? 'without an id'}` +
          `${typeof raw['type'] === 'string' ? `, ${raw['type']}` : ''}) matches no event of the ${service} store: ` +
          'not published by its relay (forged, or from another installation or a store since lost)',
      );
      return;
    }
    const at = { stream: expected.stream, revision: expected.revision };
    if (expected.service !== service) {
      this.report(
        expected.service,
        at.stream,
        at.revision,
        `${expected.type} ${eventId} is on ${where}, the topic of ${service}, not of ${expected.service}`,
      );
      return;
    }
    expected.seen += 1;
    if (expected.seen > 1) this.duplicates += 1;
    if (typeof raw['schemaVersion'] === 'number' && raw['schemaVersion'] < expected.schemaVersion) {
      // Published before the type's schema moved on: the store's event is lifted to today's version.
      if (expected.seen === 1) this.olderVersions += 1;
      return;
    }
    const observed = fieldsOf(raw);
    const differing = COMPARED.flatMap((field, i) =>
      observed[i] === expected.fields[i] ? [] : pathsOf(field, expected.fields[i], observed[i]),
    );
    if (differing.length > 0) {
      this.report(
        expected.service,
        at.stream,
        at.revision,
        `${expected.type} ${eventId} at ${where} differs from the stored event's public form in ${differing.join(', ')}`,
      );
    }
  }

  /**
   * The findings, the missing events among them (those up to each relay's
   * checkpoint the topic should still hold), and the counts.
   *
   * @param retention per topic, where its partitions' retained logs start (as
   *   the read found them; a topic not named here is taken as whole).
   */
  result(retention: ReadonlyMap<string, TopicRetention> = new Map()): {
    findings: Finding[];
    summary: TopicComparisonSummary;
  } {
    let found = 0;
    let pending = 0;
    let expired = 0;
    const missing: Finding[] = [];
    for (const [eventId, expected] of this.expected) {
      if (expected.seen > 0) {
        found += 1;
        continue;
      }
      const checkpoint = this.checkpoints.get(expected.service);
      if (checkpoint === undefined || expected.position > checkpoint) {
        pending += 1;
        continue;
      }
      const topic = this.topicOf(expected.service);
      if (mayHaveExpired(retention.get(topic), expected.key, expected.recordedAt)) {
        expired += 1;
        continue;
      }
      missing.push({
        source: expected.service,
        stream: expected.stream,
        revision: expected.revision,
        check: 'topic',
        message:
          `${expected.type} ${eventId} (position ${expected.position}) is not on ${topic}, ` +
          `though the relay's checkpoint (position ${checkpoint}) is past it`,
      });
    }
    return {
      findings: [...missing, ...this.findings],
      summary: {
        expected: this.expected.size,
        messages: this.messages,
        found,
        duplicates: this.duplicates,
        pending,
        expired,
        olderVersions: this.olderVersions,
      },
    };
  }

  private report(service: ServiceName, stream: string, revision: number | null, message: string): void {
    this.findings.push({ source: service, stream, revision, check: 'topic', message });
  }
}

function fieldsOf(event: Readonly<Record<string, unknown>>): Array<string | undefined> {
  return COMPARED.map((field) => (event[field] === undefined ? undefined : canonicalJson(event[field])));
}

/** `data.step`, `source.revision`: which keys of a compared field differ (never their values). */
function pathsOf(field: string, expected: string | undefined, observed: string | undefined): string[] {
  const a = expected === undefined ? undefined : (JSON.parse(expected) as unknown);
  const b = observed === undefined ? undefined : (JSON.parse(observed) as unknown);
  if (!isRecord(a) || !isRecord(b)) return [field];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys
    .filter((key) => canonicalJson(a[key] ?? null) !== canonicalJson(b[key] ?? null) || !(key in a) || !(key in b))
    .map((key) => `${field}.${key}`);
}

const idOf = (message: TopicMessage & { outcome: 'unknown' | 'invalid' }): string =>
  message.eventId === undefined ? '' : ` (event ${message.eventId})`;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
