import type { Serializer } from '@nestjs/microservices';
import type { IHeaders } from 'kafkajs';
import { isCorrelationId, requestContext } from '#observability';

/** The Kafka header every request and reply carries: the correlation id of the client request it is part of. */
export const CORRELATION_HEADER = 'x-correlation-id';

/**
 * Wraps a Kafka client's or server's serializer so each message it sends
 * carries `x-correlation-id`: a request's from its envelope (`meta.correlationId`),
 * a reply's from the context its request was handled in. Lets tooling that
 * reads the topics (and the server, before it has opened the envelope) follow
 * a request without parsing its body.
 */
export function withCorrelationHeader(serializer: Serializer): Serializer {
  return {
    serialize: async (data: unknown, options?: Record<string, unknown>) => {
      const message = (await serializer.serialize(data, options)) as { headers?: IHeaders };
      const correlationId = envelopeCorrelationId(data) ?? requestContext().correlationId;
      if (correlationId !== undefined) message.headers = { ...message.headers, [CORRELATION_HEADER]: correlationId };
      return message;
    },
  };
}

/** The correlation id a received message names in its header, if it is one. */
export function correlationIdOf(headers: IHeaders | undefined): string | undefined {
  const value = headers?.[CORRELATION_HEADER];
  const text = Buffer.isBuffer(value) ? value.toString() : value;
  return isCorrelationId(text) ? text : undefined;
}

function envelopeCorrelationId(data: unknown): string | undefined {
  const correlationId = (data as { meta?: { correlationId?: unknown } } | null)?.meta?.correlationId;
  return isCorrelationId(correlationId) ? correlationId : undefined;
}
