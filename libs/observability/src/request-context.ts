import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What a piece of work is part of, carried along its async calls the way the
 * deadline is: the correlation id of the client request that started it all
 * (the gateway's `X-Request-Id`), the id of the message that caused this step
 * (a request's id, or the integration event a process manager reacts to), and
 * the session the request was made in. Log lines take the correlation id from
 * here (the logger's mixin), appended events all three (their metadata), and
 * outgoing requests pass the correlation id on (envelope and Kafka header).
 */
export interface RequestContext {
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly actingSessionId?: string;
}

const contexts = new AsyncLocalStorage<RequestContext>();
const NONE: RequestContext = {};

/** Runs `work` in `context`, on top of the current one (a field left undefined keeps its current value). */
export function withRequestContext<T>(context: RequestContext, work: () => T): T {
  const current = contexts.getStore();
  const merged: Record<string, string> = { ...current };
  for (const [field, value] of Object.entries(context)) if (typeof value === 'string') merged[field] = value;
  return contexts.run(merged, work);
}

/** The context the caller runs in; empty outside any request. */
export const requestContext = (): RequestContext => contexts.getStore() ?? NONE;

/** Runs `work` in `context` alone: work that starts a chain of its own (a reaction to an event), not part of the caller's. */
export function inRequestContextOf<T>(context: RequestContext, work: () => T): T {
  const fresh: Record<string, string> = {};
  for (const [field, value] of Object.entries(context)) if (typeof value === 'string') fresh[field] = value;
  return contexts.run(fresh, work);
}
