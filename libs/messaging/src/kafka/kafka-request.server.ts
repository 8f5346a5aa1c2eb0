import { KafkaHeaders, ServerKafka, type KafkaOptions } from '@nestjs/microservices';
import type { Consumer, EachMessagePayload, Kafka, RecordMetadata } from 'kafkajs';
import { PATTERNS_BY_SERVICE, type ServiceName } from '#contracts';
import { withRequestContext } from '#observability';
import { ConsumerRecovery } from './consumer-recovery.js';
import { correlationIdOf, withCorrelationHeader } from './correlation-header.js';
import { PeriodicOffsetCommit } from './periodic-offset-commit.js';
import { PATTERN_HEADER, replyTopic, requestTopic } from './request-topics.js';

/** Requests a service process works on at once; past it, it stops taking more from Kafka. */
const MAX_REQUESTS_IN_FLIGHT = 64;

/**
 * How soon a taken request's offset is committed: short, so a rebalance gives
 * another instance next to nothing a second time; long enough that a busy
 * service commits a few times a second rather than after every request.
 */
const REQUEST_COMMIT_INTERVAL_MS = 100;

/**
 * The service side of request/reply over Kafka: Nest's Kafka server, with
 * these changes.
 * - Requests run concurrently. Nest awaits each handler before kafkajs hands
 *   over the partition's next message, so one slow request (an argon2 verify)
 *   held up every request behind it; now up to MAX_REQUESTS_IN_FLIGHT run at
 *   once, whatever their partition. Requests are at-most-once anyway (a caller
 *   whose request is lost times out), and concurrent commands on one stream
 *   are settled by the expected revision, not by arrival order.
 * - A request is committed when it is taken, with the others taken within
 *   REQUEST_COMMIT_INTERVAL_MS (`PeriodicOffsetCommit`), not in a round trip
 *   of its own after each fetch as kafkajs's auto-commit does.
 * - A request older than the callers' timeout is dropped: its caller has
 *   already answered `service_unavailable`, and acting on it now (a
 *   verification using up a code's time-step after a restart, say) would
 *   change state nobody asked for any more.
 * - One request topic per service, `<prefix>mfa.requests` (KAFKA_TOPIC_PREFIX),
 *   the pattern in the `x-pattern` header, not a topic per pattern
 *   (`request-topics.ts`). A request naming no pattern of this service is
 *   dropped.
 * - A reply goes to the request topic's `.reply` topic or nowhere: the
 *   reply-topic header is the caller's to choose, and the service's principal
 *   may also write its integration topic, where a forged header must not make
 *   it publish.
 * - The consumer survives broker outages (`ConsumerRecovery`): a consumer that
 *   crashed for good is replaced in process. Its requests whose offsets were
 *   not committed yet come again to the new one, and are not handled twice.
 *   Replies that cannot be sent meanwhile are counted, not logged one by one.
 */
export class KafkaRequestServer extends ServerKafka {
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly handled: RecentlyHandled;
  private readonly recovery: ConsumerRecovery;
  private readonly taken = new PeriodicOffsetCommit(() => this.consumer ?? undefined, REQUEST_COMMIT_INTERVAL_MS);
  /** Replies lost since the last one sent: while the broker is away, one line, not one per reply. */
  private repliesLost = 0;
  private joined = false;

  private readonly requests: string;
  private readonly patterns: ReadonlySet<string>;

  constructor(
    service: ServiceName,
    options: NonNullable<KafkaOptions['options']>,
    private readonly maxAgeMs: number,
    topicPrefix = '',
  ) {
    super(options);
    this.requests = `${topicPrefix}${requestTopic(service)}`;
    this.patterns = new Set(PATTERNS_BY_SERVICE[service]);
    // Nest dispatches by the deserialized pattern: the request's `x-pattern` header, not its topic.
    this.deserializer = {
      deserialize: (message: { value: unknown; headers: Record<string, unknown> }) => ({
        pattern: message.headers[PATTERN_HEADER],
        data: message.value,
      }),
    };
    // Replies carry the correlation id of the request they answer (`x-correlation-id`).
    this.serializer = withCorrelationHeader(this.serializer);
    this.handled = new RecentlyHandled(maxAgeMs);
    this.recovery = new ConsumerRecovery({
      label: this.groupId,
      logger: this.logger,
      create: () => {
        this.consumer = (this.client as Kafka).consumer({ ...this.options.consumer, groupId: this.groupId });
        this.registerConsumerEventListeners();
        return this.consumer;
      },
      run: async (consumer) => {
        await consumer.connect();
        await this.bindEvents(consumer);
      },
    });
  }

  /**
   * Our patterns are plain strings, looked up as they are: Nest's lookup first
   * tries `JSON.parse` on each, which throws (and builds a stack trace) for
   * every request, about 2 % of a service's CPU a call.
   */
  override getHandlerByPattern(pattern: string): ReturnType<ServerKafka['getHandlerByPattern']> {
    return this.messageHandlers.get(pattern) ?? null;
  }

  /** Its consumer has joined its group and has not crashed or stopped since: the service's readiness. */
  get consuming(): boolean {
    return this.joined;
  }

  /**
   * Every consumer this server runs, the first and each replacement, reads the
   * service's request topic (Nest's would subscribe to a topic per handler)
   * and is watched for a crash.
   */
  override async bindEvents(consumer: Consumer): Promise<void> {
    this.recovery.watch(consumer);
    consumer.on(consumer.events.GROUP_JOIN, () => (this.joined = true));
    for (const left of [consumer.events.CRASH, consumer.events.STOP]) consumer.on(left, () => (this.joined = false));
    await consumer.subscribe({ ...this.options.subscribe, topics: [this.requests] });
    await consumer.run({ ...this.options.run, eachMessage: this.getMessageHandler() });
  }

  /** Commits every request taken first, so the instance that gets its partitions next has none of them again. */
  override async close(): Promise<void> {
    await this.taken.stop();
    await this.recovery.close();
    await super.close();
  }

  /**
   * A reply that cannot be sent (the broker is away) is lost: its caller
   * answers `503` when it times out. Logged when replies start failing and
   * when they flow again, not once per reply.
   */
  override async sendMessage(...args: Parameters<ServerKafka['sendMessage']>): Promise<RecordMetadata[]> {
    try {
      const sent = await super.sendMessage(...args);
      if (this.repliesLost > 0) {
        this.logger.log(`replies are sent again (${this.repliesLost} lost meanwhile)`);
        this.repliesLost = 0;
      }
      return sent;
    } catch (error) {
      if (this.repliesLost === 0) {
        this.logger.error(
          `a reply to ${args[1]} was not sent (${error instanceof Error ? error.message : String(error)}); ` +
            'its caller answers 503, and further lost replies are counted until one is sent',
        );
      }
      this.repliesLost += 1;
      return [];
    }
  }

  override async handleMessage(payload: EachMessagePayload): Promise<void> {
    this.taken.handled(payload.topic, payload.partition, payload.message.offset);
    const ageMs = Date.now() - Number(payload.message.timestamp);
    const headers = payload.message.headers;
    const pattern = String(headers?.[PATTERN_HEADER] ?? '');
    if (!this.patterns.has(pattern)) {
      this.logger.warn(`dropped a ${payload.topic} message naming no pattern of this service`);
      return;
    }
    if (String(headers?.[KafkaHeaders.REPLY_TOPIC]) !== replyTopic(payload.topic)) {
      this.logger.warn(`dropped a ${pattern} request asking for its reply on another topic`);
      return;
    }
    if (ageMs > this.maxAgeMs) {
      this.logger.warn(`dropped a ${pattern} request received ${ageMs} ms after it was sent`);
      return;
    }
    // Delivered again after a consumer restart (its offset was not committed): handled already.
    if (!this.handled.claim(`${payload.topic}/${payload.partition}/${payload.message.offset}`)) return;
    while (this.inFlight >= MAX_REQUESTS_IN_FLIGHT) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.inFlight += 1;
    // In the request's context from the start (its header): the reply's header and every line logged say it.
    void withRequestContext({ correlationId: correlationIdOf(payload.message.headers) }, () =>
      super.handleMessage(payload),
    )
      .catch((error: unknown) =>
        this.logger.error(`${pattern}: ${error instanceof Error ? error.message : String(error)}`),
      )
      .finally(() => {
        this.inFlight -= 1;
        this.waiting.shift()?.();
      });
  }
}

/**
 * The messages taken on in the last `windowMs` (twice the callers' timeout:
 * an older request is dropped anyway), so one delivered again is taken once.
 */
class RecentlyHandled {
  private readonly takenAt = new Map<string, number>();

  constructor(private readonly windowMs: number) {}

  /** True the first time `id` is seen within the window. */
  claim(id: string): boolean {
    const now = Date.now();
    // A Map iterates in insertion order, so the oldest entries come first.
    for (const [seen, at] of this.takenAt) {
      if (now - at <= 2 * this.windowMs) break;
      this.takenAt.delete(seen);
    }
    if (this.takenAt.has(id)) return false;
    this.takenAt.set(id, now);
    return true;
  }
}
