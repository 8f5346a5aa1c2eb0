import type { NextFunction, Request, Response } from 'express';
import { inRequestContextOf, REQUEST_ID_HEADER, requestIdOf } from '#observability';

/**
 * Every request gets a correlation id before anything else looks at it: the
 * client's `X-Request-Id` when it is a usable one, otherwise a fresh UUID
 * (`requestIdOf`). It is answered in `X-Request-Id` (errors included), names
 * the request's log line (`req.id`), and the request is handled in its
 * context, so each call to a service carries it (envelope and Kafka header)
 * and each event the request causes records it (`correlationId`).
 */
export function requestCorrelation(request: Request, response: Response, next: NextFunction): void {
  const correlationId = requestIdOf(request.headers[REQUEST_ID_HEADER]);
  (request as Request & { id?: string }).id = correlationId;
  response.setHeader('X-Request-Id', correlationId);
  inRequestContextOf({ correlationId }, next);
}
