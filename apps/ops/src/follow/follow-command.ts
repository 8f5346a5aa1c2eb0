/**
 * `ops follow`: a live tail of what the services publish, one line per event.
 * On Kafka (KAFKA_BROKERS set) it reads the integration topics as the
 * principal the KAFKA_* settings name (`subscriber`, or `ops`), in a consumer
 * group of its own that commits nothing, from the end (or the oldest retained
 * message with `--from-beginning`). In the embedded mode it polls the stores
 * and maps each new event as the relay does (the services' `.public.ts`
 * allow-lists). Either way each event is read against the typed contracts
 * first: one that breaks its contract is a warning line, not a crash.
 */
import { parseArgs } from 'node:util';
import type { KafkaMessage } from 'kafkajs';
import { isIntegrationEventType, readIntegrationEvent } from '#contracts';
import type { RecordedEvent } from '#event-store';
import { PUBLIC_FORMS, SERVICES, aggregateOf, type ServiceName } from '../audited-services.js';
import { closeAll, openAuditSources, storeLocationOf, type AuditSource } from '../audit-sources.js';
import { userIdOfEmail } from '../history/user-history.js';
import {
  kafkaSettingsOf,
  oneRunGroup,
  opsKafka,
  opsKafkaConnection,
  serviceOfTopic,
  topicOf,
} from '../kafka/ops-kafka.js';
import { readTopicMessage, type MessagePlace } from '../kafka/topic-message.js';
import type { OpsIo } from '../ops-io.js';
import {
  FOLLOW_HEADER,
  followJson,
  followLine,
  matches,
  type FollowFilter,
  type FollowedEvent,
} from './follow-line.js';
import { stopSignal } from './stop-signal.js';

export const FOLLOW_USAGE = `usage: ops follow [--user <id | email>] [--type <EventType>]... [--json]
                  [--from-beginning] [--limit <n>] [--for <seconds>]`;

/** How often the embedded mode looks for new events. */
const POLL_MS = 500;

export interface FollowOptions {
  readonly filter: FollowFilter;
  /** An email to look up in identity's store; its id then filters. */
  readonly userEmail?: string;
  readonly json: boolean;
  readonly fromBeginning: boolean;
  readonly limit?: number;
  readonly forSeconds?: number;
}

/** The options of `follow`, or the usage error to print. */
export function parseFollowArgs(argv: readonly string[]): FollowOptions | string {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      allowPositionals: false,
      options: {
        user: { type: 'string' },
        type: { type: 'string', multiple: true },
        json: { type: 'boolean', default: false },
        'from-beginning': { type: 'boolean', default: false },
        limit: { type: 'string' },
        for: { type: 'string' },
      },
    }));
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  const unknownType = values.type?.find((type) => !isIntegrationEventType(type));
  if (unknownType !== undefined) return `no integration event type ${JSON.stringify(unknownType)}`;
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit > 0)) return '--limit needs a whole number above 0';
  const forSeconds = values.for === undefined ? undefined : Number(values.for);
  if (forSeconds !== undefined && !(Number.isFinite(forSeconds) && forSeconds > 0)) {
    return '--for needs a number of seconds above 0';
  }
  const user = values.user?.trim();
  if (values.user !== undefined && !user) return '--user needs a user id or an email';
  return {
    filter: {
      ...(user && !user.includes('@') ? { userId: user } : {}),
      ...(values.type ? { types: new Set(values.type) } : {}),
    },
    ...(user?.includes('@') ? { userEmail: user } : {}),
    json: values.json,
    fromBeginning: values['from-beginning'],
    ...(limit === undefined ? {} : { limit }),
    ...(forSeconds === undefined ? {} : { forSeconds }),
  };
}

export async function followCommand(argv: readonly string[], io: OpsIo): Promise<number> {
  const options = parseFollowArgs(argv);
  if (typeof options === 'string') {
    io.err.write(`ops: ${options}\n\n${FOLLOW_USAGE}\n`);
    return 2;
  }
  let kafka;
  try {
    kafka = kafkaSettingsOf(io.env);
  } catch (error) {
    io.err.write(`ops: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  // The stores: the embedded mode's source, and on Kafka only to look an email up (when they are here).
  let sources: AuditSource[] = [];
  try {
    if (!kafka || options.userEmail) sources = openAuditSources(storeLocationOf(io.env));
  } catch (error) {
    io.err.write(`ops: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const stop = stopSignal(options);
  try {
    let filter = options.filter;
    if (options.userEmail) {
      const userId = await userIdOfEmail(
        sources.find((source) => source.services.includes('identity')),
        options.userEmail,
      );
      if (userId === undefined) {
        io.err.write('ops: follow: no user has that email address\n');
        return 1;
      }
      filter = { ...filter, userId };
    }
    let shown = 0;
    const show = async (event: FollowedEvent) => {
      if (stop.signal.aborted || !matches(event, filter)) return;
      shown += 1;
      await io.out(options.json ? followJson(event) : followLine(event));
      if (options.limit !== undefined && shown >= options.limit) stop.abort();
    };
    if (!options.json) await io.out(FOLLOW_HEADER);
    if (kafka) await followTopics(kafka, options, io, show, stop.signal);
    else await followStores(sources, options, io, show, stop.signal);
    return 0;
  } catch (error) {
    io.err.write(`ops: follow failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  } finally {
    stop.dispose();
    await closeAll(sources);
  }
}

type Show = (event: FollowedEvent) => Promise<void>;

async function followTopics(
  settings: NonNullable<ReturnType<typeof kafkaSettingsOf>>,
  options: FollowOptions,
  io: OpsIo,
  show: Show,
  stopped: AbortSignal,
): Promise<void> {
  const connection = opsKafkaConnection(settings, io);
  const topics = SERVICES.map((service) => topicOf(connection, service));
  const consumer = opsKafka(connection, io, 'follow').consumer({
    groupId: oneRunGroup(connection, 'follow'),
    maxWaitTimeInMs: 250,
    allowAutoTopicCreation: false,
  });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    if (joined) return;
    joined = true;
    io.err.write(`ops: following ${topics.join(', ')} (Ctrl-C to stop)\n`);
  });
  const crashed = new Promise<never>((_, reject) =>
    consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error)),
  );
  try {
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: options.fromBeginning });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        const service = serviceOfTopic(topic.slice(connection.topicPrefix.length));
        if (service) await showMessage(service, { topic, partition, offset: message.offset }, message, io, show);
      },
    });
    await Promise.race([untilAborted(stopped), crashed]);
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

async function showMessage(
  service: ServiceName,
  place: MessagePlace,
  message: KafkaMessage,
  io: OpsIo,
  show: Show,
): Promise<void> {
  const read = readTopicMessage(place, message.value);
  if (read.outcome !== 'known') {
    const named = read.eventId === undefined ? '' : ` (event ${read.eventId}${read.type ? `, ${read.type}` : ''})`;
    io.err.write(
      `ops: follow: warning: the message at ${place.topic} partition ${place.partition} offset ${place.offset}${named} ${read.problem}\n`,
    );
    return;
  }
  const { event } = read;
  await show({
    service,
    eventId: event.eventId,
    type: event.type,
    occurredAt: event.occurredAt,
    aggregateId: event.aggregateId,
    userId: event.userId,
    orgId: event.orgId,
    correlationId: read.correlationId,
  });
}

/** The embedded mode: each store polled from its end (or start), each new event mapped as its relay maps it. */
async function followStores(
  sources: readonly AuditSource[],
  options: FollowOptions,
  io: OpsIo,
  show: Show,
  stopped: AbortSignal,
): Promise<void> {
  const after = new Map<AuditSource, bigint | undefined>();
  for (const source of sources) {
    let last: bigint | undefined;
    if (!options.fromBeginning) for await (const event of source.store.readAll()) last = event.position;
    after.set(source, last);
  }
  io.err.write(`ops: following the stores (${sources.map((source) => source.label).join(', ')}) (Ctrl-C to stop)\n`);
  while (!stopped.aborted) {
    for (const source of sources) {
      const from = after.get(source);
      for await (const event of source.store.readAll(from === undefined ? {} : { fromPosition: from })) {
        after.set(source, event.position);
        if (stopped.aborted) return;
        await showStored(source, event, io, show);
      }
    }
    await sleep(POLL_MS, stopped);
  }
}

async function showStored(source: AuditSource, recorded: RecordedEvent, io: OpsIo, show: Show): Promise<void> {
  const service = source.services.length === 1 ? source.services[0] : aggregateOf(recorded.stream)?.service;
  if (!service) return;
  let published;
  try {
    published = PUBLIC_FORMS[service](recorded);
  } catch {
    io.err.write(`ops: follow: warning: ${recorded.stream} revision ${recorded.revision} cannot be decoded\n`);
    return;
  }
  if (!published) return;
  const reading = readIntegrationEvent(published);
  if (reading.outcome !== 'known') {
    const problem = reading.outcome === 'invalid' ? reading.problems : `a ${reading.unknown} this build does not know`;
    io.err.write(
      `ops: follow: warning: ${published.type} ${published.eventId} of ${recorded.stream} revision ${recorded.revision}: ${problem}\n`,
    );
    return;
  }
  await show({
    service,
    eventId: published.eventId,
    type: published.type,
    occurredAt: published.occurredAt,
    aggregateId: published.aggregateId,
    userId: published.userId,
    orgId: published.orgId,
    correlationId: reading.event.correlationId,
  });
}

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
