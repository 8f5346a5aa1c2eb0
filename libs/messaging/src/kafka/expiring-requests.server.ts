import { KafkaHeaders, ServerKafka, type KafkaOptions } from '@nestjs/microservices';
import type { EachMessagePayload } from 'kafkajs';

/**
 * The Kafka server, except that a request older than the callers' timeout is
 * dropped: its caller has already answered `service_unavailable`, and acting
 * on it now (a verification using up a code's time-step after a restart, say)
 * would change state nobody asked for any more.
 */
export class ExpiringRequestsServerKafka extends ServerKafka {
  constructor(
    options: NonNullable<KafkaOptions['options']>,
    private readonly maxAgeMs: number,
  ) {
    super(options);
  }

  override async handleMessage(payload: EachMessagePayload): Promise<unknown> {
    const ageMs = Date.now() - Number(payload.message.timestamp);
    const isRequest = payload.message.headers?.[KafkaHeaders.REPLY_TOPIC] !== undefined;
    if (isRequest && ageMs > this.maxAgeMs) {
      this.logger.warn(`dropped a ${payload.topic} request received ${ageMs} ms after it was sent`);
      return;
    }
    return super.handleMessage(payload);
  }
}
