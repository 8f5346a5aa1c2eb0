import type { KafkaConnectionConfig } from '#config';
import { PUBLIC_FORMS, SERVICES, aggregateOf, type ServiceName } from '../audited-services.js';
import type { AuditSource } from '../audit-sources.js';
import { oneRunGroup, opsKafka, opsKafkaConnection, serviceOfTopic, topicOf } from '../kafka/ops-kafka.js';
import { readTopicMessage } from '../kafka/topic-message.js';
import { readTopicsToEnd } from '../kafka/topic-reader.js';
import type { OpsIo } from '../ops-io.js';
import { progressBar, type Progress } from '../progress-bar.js';
import { relayCheckpointOf } from '../relay/relay-checkpoint.js';
import type { Finding } from './store-audit.js';
import { TopicComparison, type TopicComparisonSummary } from './topic-comparison.js';

export interface TopicCheck {
  readonly topics: readonly string[];
  /** Who read them (the KAFKA_SASL_USERNAME), or null on an unauthenticated broker. */
  readonly principal: string | null;
  readonly missingTopics: readonly string[];
  readonly summary: TopicComparisonSummary;
  readonly findings: readonly Finding[];
}

/**
 * The stores against the topics: first each relay's checkpoint (what must be
 * on the topic by now), then every store's published events, then every
 * topic up to its end. In that order, an event at or before a checkpoint was
 * acknowledged by the broker before the topics are read.
 */
export async function compareWithTopics(
  sources: readonly AuditSource[],
  settings: KafkaConnectionConfig,
  io: OpsIo,
): Promise<TopicCheck> {
  const connection = opsKafkaConnection(settings, io);
  const services = SERVICES.filter((service) => sources.some((source) => source.services.includes(service)));
  const checkpoints = new Map<ServiceName, bigint | undefined>();
  for (const service of services) {
    const source = sources.find((candidate) => candidate.services.includes(service))!;
    checkpoints.set(service, (await relayCheckpointOf(source.store, service))?.position);
  }
  const comparison = new TopicComparison((service) => topicOf(connection, service), checkpoints);

  for (const source of sources) {
    for await (const event of source.store.readAll()) {
      const service = source.services.length === 1 ? source.services[0] : aggregateOf(event.stream)?.service;
      if (!service) continue;
      let published;
      try {
        published = PUBLIC_FORMS[service](event);
      } catch {
        continue; // undecodable: the store audit reports it ([replay])
      }
      if (published) comparison.expect(service, event, published);
    }
  }

  const topics = services.map((service) => topicOf(connection, service));
  let bar: Progress | undefined;
  const { missingTopics, retention } = await readTopicsToEnd(
    opsKafka(connection, io, 'verify'),
    oneRunGroup(connection, 'verify'),
    topics,
    (place, message) => {
      const service = serviceOfTopic(place.topic.slice(connection.topicPrefix.length));
      if (service) comparison.observe(service, readTopicMessage(place, message.value));
      bar?.increment();
    },
    (total) => (bar = progressBar(io, 'verify topics', total, 'messages')),
  );
  bar?.stop();
  const { findings, summary } = comparison.result(retention);
  return { topics, principal: connection.sasl?.username ?? null, missingTopics, summary, findings };
}
