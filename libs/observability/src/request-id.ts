import { randomUUID } from 'node:crypto';
import { CORRELATION_ID_PATTERN } from '#contracts';

export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * The correlation id of an incoming HTTP request: the client's `X-Request-Id`
 * when it is one (1–128 of `A-Z a-z 0-9 . _ : -`, so a proxy's or a client's
 * own id can be followed through), otherwise a fresh UUID (an id that could
 * smuggle a line break or a whole payload into the logs is never taken).
 */
export function requestIdOf(header: string | readonly string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return typeof value === 'string' && CORRELATION_ID_PATTERN.test(value) ? value : randomUUID();
}

/** A correlation id that arrived on the bus (envelope or Kafka header): kept only if the gateway could have made it. */
export const isCorrelationId = (value: unknown): value is string =>
  typeof value === 'string' && CORRELATION_ID_PATTERN.test(value);
