import { Logger } from '@nestjs/common';
import type { z } from 'zod';
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

const logger = new Logger('Rpc');

/**
 * The receiving edge of every pattern: validate the payload with the pattern's
 * schema, run the use case, answer a typed result. A domain refusal is a value;
 * anything unexpected is logged (never the payload) and answered as
 * `internal_error`, so a bad message never crashes a service.
 */
export async function answer<R extends Rpc<z.ZodType, unknown>>(
  rpc: R,
  payload: unknown,
  handle: (request: ParsedRequestOf<R>) => Promise<ResponseOf<R>> | ResponseOf<R>,
): Promise<RpcResult<ResponseOf<R>>> {
  try {
    const request = parseOrRefuse(rpc.request, payload ?? {}, { code: 'invalid_payload', root: 'payload' });
    return ok(await handle(request as ParsedRequestOf<R>));
  } catch (error) {
    if (error instanceof DomainError) return failure(error);
    logger.error(`${rpc.pattern} failed unexpectedly`, error instanceof Error ? error.stack : String(error));
    return failure(new DomainError('internal_error', 'internal error'));
  }
}
