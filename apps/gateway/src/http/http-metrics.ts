import type { NextFunction, Request, Response } from 'express';
import { httpRequestDuration, httpRequests, routeOf, secondsSince } from '#observability';

/**
 * `totp_mfa_http_requests_total` and `totp_mfa_http_request_duration_seconds`
 * by method, matched route (`/v1/admin/users/:id`, never the ids themselves;
 * `unmatched` for anything no route took) and status, once the answer is sent.
 */
export function httpMetrics(request: Request, response: Response, next: NextFunction): void {
  const startedAt = performance.now();
  response.once('finish', () => {
    const labels = { method: request.method, route: routeOf(request), status: String(response.statusCode) };
    httpRequests.inc(labels);
    httpRequestDuration.observe(labels, secondsSince(startedAt));
  });
  next();
}
