import { KafkaHeaders, ServerKafka, type KafkaOptions } from '@nestjs/microservices';
import type { EachMessagePayload } from 'kafkajs';

/** Requests a service process works on at once; past it, it stops taking more from Kafka. */
const MAX_REQUESTS_IN_FLIGHT = 64;

/**
 * The service side of request/reply over Kafka: Nest's Kafka server, with two
 * changes.
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
 */
export class KafkaRequestServer extends ServerKafka {
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    options: NonNullable<KafkaOptions['options']>,
    private readonly maxAgeMs: number,
  ) {
    super(options);
  }

  override async handleMessage(payload: EachMessagePayload): Promise<void> {
    const ageMs = Date.now() - Number(payload.message.timestamp);
    const isRequest = payload.message.headers?.[KafkaHeaders.REPLY_TOPIC] !== undefined;
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
