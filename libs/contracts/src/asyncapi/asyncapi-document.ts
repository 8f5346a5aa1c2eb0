import { z } from 'zod';
import { INTEGRATION_TOPICS, type IntegrationTopic } from '../integration-events.js';
import { integrationEventEnvelope, type IntegrationEventContract } from '../integration-events/envelope.js';
import { INTEGRATION_EVENT_CONTRACTS_BY_TOPIC } from '../integration-events/registry.js';

/** Where the gateway serves the document, next to the OpenAPI one at `/docs`. */
export const ASYNCAPI_PATH = '/docs/asyncapi.json';

const CHANNEL_IDS: Record<IntegrationTopic, string> = {
  'auth.identity.events': 'identityEvents',
  'auth.mfa.events': 'mfaEvents',
  'auth.policy.events': 'policyEvents',
};

const SERVICES: Record<IntegrationTopic, string> = {
  'auth.identity.events': "identity's users, organisations and sessions",
  'auth.mfa.events': "mfa's enrollments (stream `mfa-<userId>`)",
  'auth.policy.events': "policy's per-organisation policies (stream `org-policy-<orgId>`)",
};

const DESCRIPTION = [
  'The integration events the services of the TOTP MFA system publish for other internal services:',
  'each service relays its own event store to its topic (a checkpointed subscription, never a second write',
  'beside the append), in the public form the service allows out (no secret, hash, code or token).',
  '',
  '- **Key**: the aggregate id (`aggregateId`: a user, an organisation or a session id), so the events of one',
  '  aggregate keep their order on one partition.',
  '- **At least once**: after a relay restart, events since its last checkpoint are published again. Consumers',
  '  dedupe by `eventId` (the stored event id, the same on every redelivery).',
  '- **Versions**: `schemaVersion` (in the envelope, a header and `data`) is the version of the type.',
  '  A breaking change is a new version; consumers accept the versions they know and ignore fields they do not.',
  '- **Headers**: `eventId`, `type`, `schemaVersion` (strings), to route without parsing the value.',
  "- **Topics** carry the installation's `KAFKA_TOPIC_PREFIX`, if any.",
].join('\n');

/** JSON Schema (draft-07, which AsyncAPI schemas extend) of a zod schema, as consumers read it. */
function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...jsonSchema } = z.toJSONSchema(schema, { target: 'draft-7', io: 'input' });
  return jsonSchema;
}

const messageId = (contract: IntegrationEventContract) => `${contract.type}.v${contract.schemaVersion}`;

/**
 * The AsyncAPI 3.0 document of `auth.*.events`, generated from the contracts
 * in `integration-events/`: one channel per topic, one message per event
 * type and version (headers, Kafka key, payload schema, an example).
 * Deterministic: `npm run asyncapi` writes it to docs/asyncapi.json, and a
 * spec checks the committed file is current.
 */
export function asyncApiDocument(): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = { IntegrationEventEnvelope: jsonSchemaOf(integrationEventEnvelope) };

  for (const topic of Object.values(INTEGRATION_TOPICS)) {
    const channelId = CHANNEL_IDS[topic];
    const contracts = Object.values(INTEGRATION_EVENT_CONTRACTS_BY_TOPIC[topic]).flatMap((versions) =>
      Object.values(versions),
    );
    const channelMessages: Record<string, unknown> = {};
    for (const contract of contracts) {
      const id = messageId(contract);
      schemas[id] = jsonSchemaOf(contract.schema);
      messages[id] = messageOf(contract);
      channelMessages[id] = { $ref: `#/components/messages/${id}` };
    }
    channels[channelId] = {
      address: topic,
      title: topic,
      description: `The events of ${SERVICES[topic]}, keyed by aggregate id.`,
      messages: channelMessages,
      bindings: { kafka: { topic, bindingVersion: '0.5.0' } },
    };
    operations[`publish${channelId[0]!.toUpperCase()}${channelId.slice(1)}`] = {
      action: 'send',
      title: `Publish to ${topic}`,
      summary: "The service's relay publishes each stored event of its streams, in its public form.",
      channel: { $ref: `#/channels/${channelId}` },
      messages: Object.keys(channelMessages).map((id) => ({ $ref: `#/channels/${channelId}/messages/${id}` })),
    };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'TOTP MFA integration events',
      version: '1.0.0',
      description: DESCRIPTION,
      license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
    },
    defaultContentType: 'application/json',
    servers: {
      kafka: {
        host: '{brokers}',
        protocol: 'kafka-secure',
        description: 'The brokers of `KAFKA_BROKERS`: TLS (`KAFKA_SSL_CA_FILE`) and SASL SCRAM-SHA-512.',
        variables: { brokers: { default: '127.0.0.1:9092', description: 'One of KAFKA_BROKERS' } },
      },
    },
    channels,
    operations,
    components: { schemas, messages, messageTraits: { integrationEvent: integrationEventTrait() } },
  };
}

function messageOf(contract: IntegrationEventContract): Record<string, unknown> {
  const { type, schemaVersion, keyedBy, streamPrefix, summary, example } = contract;
  return {
    name: type,
    title: `${type} v${schemaVersion}`,
    summary,
    description:
      `Version ${schemaVersion} of \`${type}\`, from the streams \`${streamPrefix}<${keyedBy}>\`; ` +
      `keyed by the ${keyedBy.replace('Id', '')} id (\`aggregateId\`). Dedupe by \`eventId\`.`,
    contentType: 'application/json',
    traits: [{ $ref: '#/components/messageTraits/integrationEvent' }],
    payload: { $ref: `#/components/schemas/${type}.v${schemaVersion}` },
    examples: [
      {
        name: `${type}-v${schemaVersion}`,
        headers: { eventId: example['eventId'], type, schemaVersion: String(schemaVersion) },
        payload: example,
      },
    ],
  };
}

function integrationEventTrait(): Record<string, unknown> {
  return {
    headers: {
      type: 'object',
      required: ['eventId', 'type', 'schemaVersion'],
      properties: {
        eventId: { type: 'string', description: 'As in the payload: the key to dedupe by' },
        type: { type: 'string', description: 'The event type' },
        schemaVersion: { type: 'string', pattern: '^[1-9][0-9]*$', description: 'The version of the type' },
      },
    },
    bindings: {
      kafka: {
        key: {
          type: 'string',
          description: 'The aggregate id (`aggregateId`): one key, one partition, in order',
        },
        bindingVersion: '0.5.0',
      },
    },
  };
}
/** The document as committed in docs/asyncapi.json: two-space JSON and a final newline. */
export function asyncApiJson(): string {
  return `${JSON.stringify(asyncApiDocument(), null, 2)}\n`;
}
