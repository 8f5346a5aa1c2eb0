import { PATTERNS_BY_SERVICE, SERVICE_NAMES, type ServiceName } from '#contracts';

/**
 * Request/reply over Kafka uses one request topic per service,
 * `<service>.requests`, its pattern in the `x-pattern` header, and one reply
 * topic beside it, `<service>.requests.reply` (names without the
 * installation's prefix). Not a topic per pattern as Nest lays them out: a
 * kafkajs fetch lists every partition it reads, with no incremental fetch
 * sessions, and at request/reply rates nearly every message costs a fetch —
 * the service's fetch lists 4 partitions instead of 4 per pattern, the
 * caller's one reply partition per service instead of one per pattern
 * (README "Where a login's time goes").
 */
export const PATTERN_HEADER = 'x-pattern';

export function requestTopic(service: ServiceName): string {
  return `${service}.requests`;
}

/** The only topic a service answers a request of `requestTopicName` on (`KafkaRequestServer`). */
export function replyTopic(requestTopicName: string): string {
  return `${requestTopicName}.reply`;
}

/** The service that handles `pattern` (`<service>.<verb-noun>`), if it is one of the system's patterns. */
export function serviceOfPattern(pattern: string): ServiceName | undefined {
  return SERVICE_NAMES.find((service) => PATTERNS_BY_SERVICE[service].includes(pattern));
}
