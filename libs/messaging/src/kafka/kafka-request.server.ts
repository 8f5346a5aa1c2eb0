import { KafkaHeaders, ServerKafka, type KafkaOptions } from '@nestjs/microservices';
import type { EachMessagePayload } from 'kafkajs';

/** Requests a service process works on at once; past it, it stops taking more from Kafka. */
const MAX_REQUESTS_IN_FLIGHT = 64;

/**
 * The service side of request/reply over Kafka: Nest's Kafka server, with
 * these changes.
 * - Requests run concurrently. Nest awaits each handler before kafkajs hands
 *   over the partition's next message, so one slow request (an argon2 verify)
 *   held up every request behind it; now up to MAX_REQUESTS_IN_FLIGHT run at
 *   once, whatever their partition. Requests are at-most-once anyway (a caller
 *   whose request is lost times out), and concurrent commands on one stream
 *   are settled by the expected revision, not by arrival order.
 * - A request older than the callers' timeout is dropped: its caller has
 *   already answered `service_unavailable`, and acting on it now (a
 *   verification using up a code's time-step after a restart, say) would
 *   change state nobody asked for any more.
 * - Topics carry the installation's prefix (KAFKA_TOPIC_PREFIX): a handler
 *   of `mfa.activate` consumes `<prefix>mfa.activate`.
 * - A reply goes to the request topic's `.reply` topic or nowhere: the
 *   reply-topic header is the caller's to choose, and the service's principal
 *   may also write its integration topic, where a forged header must not make
 *   it publish.
 */
export class KafkaRequestServer extends ServerKafka {
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    options: NonNullable<KafkaOptions['options']>,
    private readonly maxAgeMs: number,
    private readonly topicPrefix = '',
  ) {
    super(options);
  }

  /** Registers each handler under its prefixed topic, which is what Nest subscribes to and dispatches by. */
  override addHandler(...[pattern, ...rest]: Parameters<ServerKafka['addHandler']>): void {
    super.addHandler(typeof pattern === 'string' ? `${this.topicPrefix}${pattern}` : pattern, ...rest);
  }

  override async handleMessage(payload: EachMessagePayload): Promise<void> {
    const ageMs = Date.now() - Number(payload.message.timestamp);
    const replyTopic = payload.message.headers?.[KafkaHeaders.REPLY_TOPIC];
    const isRequest = replyTopic !== undefined;
    if (isRequest && String(replyTopic) !== `${payload.topic}.reply`) {
      this.logger.warn(`dropped a ${payload.topic} request asking for its reply on another topic`);
      return;
    }
    if (isRequest && ageMs > this.maxAgeMs) {
      this.logger.warn(`dropped a ${payload.topic} request received ${ageMs} ms after it was sent`);
      return;
    }
    while (this.inFlight >= MAX_REQUESTS_IN_FLIGHT) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.inFlight += 1;
    void super
      .handleMessage(payload)
      .catch((error: unknown) =>
        this.logger.error(`${payload.topic}: ${error instanceof Error ? error.message : String(error)}`),
      )
      .finally(() => {
        this.inFlight -= 1;
        this.waiting.shift()?.();
      });
  }
}
