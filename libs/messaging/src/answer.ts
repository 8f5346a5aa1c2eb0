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
import { withActingSession, withDeadline } from '#event-store';
import { openRequest, sealReply } from './rpc-envelope.js';
import type { SealingKeyRing } from './sealing/sealing-keys.js';

const logger = new Logger('Rpc');

/**
 * The receiving edge of every pattern: open the request envelope (deadline not
 * passed, sealed fields opened with `keys`), validate the body with the
 * pattern's schema, run the use case under the caller's deadline (and in the
 * session the caller acts in, recorded on the events it appends), answer a
 * typed result with its secret fields sealed to the caller's one-time key. A
 * domain refusal is a value; anything unexpected is logged (never the payload)
 * and answered as `internal_error`, so a bad message never crashes a service.
 */
export async function answer<R extends Rpc>(
  rpc: R,
  raw: unknown,
  handle: (request: ParsedRequestOf<R>) => Promise<ResponseOf<R>> | ResponseOf<R>,
  keys: SealingKeyRing | null = null,
): Promise<RpcResult<unknown>> {
  try {
    const { meta, body } = openRequest(rpc, raw, keys);
    const request = parseOrRefuse(rpc.request, body ?? {}, { code: 'invalid_payload', root: 'payload' });
    const value = await withDeadline(meta.deadline, () =>
      withActingSession(meta.actingSessionId, () => handle(request as ParsedRequestOf<R>)),
    );
    return ok(sealReply(rpc, meta, value));
  } catch (error) {
    if (error instanceof DomainError) return failure(error);
    logger.error(`${rpc.pattern} failed unexpectedly`, error instanceof Error ? error.stack : String(error));
    return failure(new DomainError('internal_error', 'internal error'));
  }
}
