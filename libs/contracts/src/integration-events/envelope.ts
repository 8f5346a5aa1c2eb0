import { z } from 'zod';
import { INTEGRATION_TOPICS, type IntegrationTopic } from '../integration-events.js';
import { correlationId } from '../schemas.js';

/** An identifier as published: a user's, an organisation's, a session's, an event's. */
export const publishedId = z.string().min(1).max(100);
/** An ISO 8601 instant (`Date.toISOString()`), by the publishing service's clock. */
export const instant = z.iso.datetime({ offset: true });
/** Where a sign-in attempt came from (audit only): the client's address and User-Agent. */
export const attemptContext = z.object({ ip: z.string().max(64), userAgent: z.string().max(512) });

/**
 * Which id the event's aggregate is: it is the envelope's `aggregateId` and
 * the Kafka message key (events of one key keep their order). A session's
 * events also name their user (`userId`).
 */
export type KeyedBy = 'userId' | 'orgId' | 'sessionId';

/** The envelope's fields every event carries, whatever its type (DESIGN.md, Kafka). */
const envelopeShape = {
  eventId: publishedId.describe('The stored event id: at-least-once delivery, so consumers dedupe by it'),
  aggregateId: publishedId.describe('The user, organisation or session the event belongs to; also the Kafka key'),
  userId: publishedId.optional(),
  orgId: publishedId.optional(),
  actingSessionId: publishedId
    .optional()
    .describe('The session whose request caused the event (a credential change spares it)'),
  correlationId: correlationId
    .optional()
    .describe("The client request the event goes back to (the gateway's X-Request-Id): follow it through the logs"),
  causationId: publishedId
    .optional()
    .describe('What caused the event: the id of the request, or of the integration event a reaction handled'),
  occurredAt: instant,
  source: z.object({
    stream: z.string().min(1).max(200),
    revision: z.number().int().nonnegative(),
    position: z.string().min(1).max(40).describe("The event's position in its store (a decimal number)"),
  }),
};

/** The envelope of any integration event, its data unread: what a consumer checks before it looks at the type. */
export const integrationEventEnvelope = z.object({
  ...envelopeShape,
  type: z.string().min(1).max(100),
  schemaVersion: z.number().int().positive(),
  data: z.record(z.string(), z.unknown()),
});

/** One version of one event type: its topic, key, what it means, its schema and an example. */
export interface IntegrationEventContract<
  Type extends string = string,
  Version extends number = number,
  Payload extends z.ZodObject = z.ZodObject,
> {
  readonly type: Type;
  readonly schemaVersion: Version;
  readonly topic: IntegrationTopic;
  readonly keyedBy: KeyedBy;
  readonly streamPrefix: string;
  readonly summary: string;
  /** The data without its `schemaVersion`: what the service's public form returns. */
  readonly payload: Payload;
  /** The whole event: the envelope, with `type`, `schemaVersion` and `data` (the payload and its `schemaVersion`). */
  readonly schema: z.ZodObject;
  readonly example: z.output<z.ZodObject>;
}

interface ContractDefinition<Type extends string, Version extends number, Payload extends z.ZodObject> {
  readonly type: Type;
  readonly schemaVersion: Version;
  readonly service: keyof typeof INTEGRATION_TOPICS;
  readonly keyedBy: KeyedBy;
  /** The source streams, `<prefix><aggregateId>`. */
  readonly streamPrefix: string;
  readonly summary: string;
  readonly payload: Payload;
  /** An example of the envelope's ids and instant; its data comes from `exampleData`. */
  readonly exampleIds: { readonly aggregateId: string; readonly userId?: string; readonly orgId?: string };
  readonly exampleData: z.input<Payload>;
}

/**
 * The contract of one version of one event type. A user's or a session's event
 * always names its user (`userId`), an organisation's its organisation (`orgId`).
 */
export function integrationEventContract<Type extends string, Version extends number, Payload extends z.ZodObject>(
  definition: ContractDefinition<Type, Version, Payload>,
): IntegrationEventContract<Type, Version, Payload> {
  const { type, schemaVersion, service, keyedBy, streamPrefix, summary, payload, exampleIds, exampleData } = definition;
  const requiredIds = keyedBy === 'orgId' ? { orgId: publishedId } : { userId: publishedId };
  const schema = z
    .object({
      ...envelopeShape,
      ...requiredIds,
      type: z.literal(type),
      schemaVersion: z.literal(schemaVersion),
      data: payload.extend({ schemaVersion: z.literal(schemaVersion) }),
    })
    .describe(summary);
  const example = {
    eventId: '0b7c2a52-8a9e-4a4e-9d0e-3c1f0f6d2a10',
    type,
    schemaVersion,
    ...exampleIds,
    correlationId: 'req-7f3a9c2e',
    causationId: '6d1f4b8a-2c3e-4f5a-9b7c-8d9e0f1a2b3c',
    occurredAt: '2031-03-04T05:06:07.000Z',
    source: { stream: `${streamPrefix}${exampleIds.aggregateId}`, revision: 3, position: '1042' },
    data: { schemaVersion, ...exampleData },
  };
  const topic = INTEGRATION_TOPICS[service];
  return { type, schemaVersion, topic, keyedBy, streamPrefix, summary, payload, schema, example };
}
