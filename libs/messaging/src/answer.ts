import { Logger } from '@nestjs/common';
import {
  DomainError,
  failure,
  ok,
  parseOrRefuse,
  type ParsedRequestOf,
  type ResponseOf,
  type Rpc,
  type RpcResult,
} from '#contracts';
import { withDeadline } from '#event-store';
import { rpcServerDuration, secondsSince, withRequestContext } from '#observability';
import { openRequest, sealReply, type OpenedRequest } from './rpc-envelope.js';
import type { SealingKeyRing } from './sealing/sealing-keys.js';

const logger = new Logger('Rpc');

/**
 * The receiving edge of every pattern: open the request envelope (deadline not
 * passed, sealed fields opened with `keys`), validate the body with the
 * pattern's schema, run the use case under the caller's deadline and in the
 * request's context (its correlation id, its own id as the cause, the session
 * the caller acts in: on every log line and appended event), answer a typed
 * result with its secret fields sealed to the caller's one-time key. A domain
 * refusal is a value; anything unexpected is logged (never the payload) and
 * answered as `internal_error`, so a bad message never crashes a service.
 * Every message handled leaves one log line (pattern, outcome, duration, never
 * the payload) and one observation of `totp_mfa_rpc_server_duration_seconds`.
 */
export async function answer<R extends Rpc>(
  rpc: R,
  raw: unknown,
  handle: (request: ParsedRequestOf<R>) => Promise<ResponseOf<R>> | ResponseOf<R>,
  keys: SealingKeyRing | null = null,
): Promise<RpcResult<unknown>> {
  const startedAt = performance.now();
  let opened: OpenedRequest;
  try {
    opened = openRequest(rpc, raw, keys);
  } catch (error) {
    return handled(rpc, startedAt, refusalOf(rpc, error));
  }
  const { meta, body } = opened;
  const context = {
    correlationId: meta.correlationId,
    causationId: meta.requestId,
    actingSessionId: meta.actingSessionId,
  };
  return withRequestContext(context, async () => {
    let result: RpcResult<unknown>;
    try {
      const request = parseOrRefuse(rpc.request, body ?? {}, { code: 'invalid_payload', root: 'payload' });
      const value = await withDeadline(meta.deadline, () => handle(request as ParsedRequestOf<R>));
      result = ok(sealReply(rpc, meta, value));
    } catch (error) {
      result = refusalOf(rpc, error);
    }
    return handled(rpc, startedAt, result);
  });
}

function refusalOf(rpc: Rpc, error: unknown): RpcResult<never> {
  if (error instanceof DomainError) return failure(error);
  logger.error(`${rpc.pattern} failed unexpectedly`, error instanceof Error ? error.stack : String(error));
  return failure(new DomainError('internal_error', 'internal error'));
}

/** The message's log line and latency; health checks (probes, every few seconds) only at debug level. */
function handled(rpc: Rpc, startedAt: number, result: RpcResult<unknown>): RpcResult<unknown> {
  const outcome = result.ok ? 'ok' : result.error.code;
  const seconds = secondsSince(startedAt);
  rpcServerDuration.observe({ pattern: rpc.pattern, outcome }, seconds);
  const line = {
    msg: `${rpc.pattern} ${outcome}`,
    event: 'rpc_handled',
    pattern: rpc.pattern,
    outcome,
    durationMs: Math.round(seconds * 10_000) / 10,
  };
  if (rpc.pattern.endsWith('.check-health')) logger.debug(line);
  else logger.log(line);
  return result;
}
