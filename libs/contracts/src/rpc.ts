import { z } from 'zod';
import { ERROR_CODES, type RpcResult } from './errors.js';

/**
 * One request/reply pattern: its name (`<service>.<verb-noun>`), the schema its
 * payload is validated with at the receiving edge, and the schema of what it
 * answers, validated at the calling edge: neither side trusts the other's bytes.
 */
export interface Rpc<Request extends z.ZodType = z.ZodType, Response extends z.ZodType = z.ZodType> {
  readonly pattern: string;
  readonly request: Request;
  readonly response: Response;
  /** The whole reply: the response or a typed refusal (`RpcResult`). */
  readonly result: z.ZodType<RpcResult<z.output<Response>>>;
  /** Top-level string fields that cross the bus only sealed (passwords, codes, a TOTP secret). */
  readonly sealed: SealedFields;
}

export interface SealedFields {
  /** Sealed by the caller to the receiving service's key. */
  readonly request: readonly string[];
  /** Sealed by the service to a key the caller made for this one request. */
  readonly response: readonly string[];
}

export type RequestOf<R extends Rpc> = z.input<R['request']>;
export type ParsedRequestOf<R extends Rpc> = z.output<R['request']>;
/** What the service's use case returns (before the caller's schema check). */
export type ResponseOf<R extends Rpc> = z.input<R['response']>;

const errorBody = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string().max(2000),
  details: z.record(z.string(), z.unknown()).optional(),
});

export function rpc<Request extends z.ZodType, Response extends z.ZodType>(
  pattern: string,
  schemas: {
    readonly request: Request;
    readonly response: Response;
    readonly sealed?: {
      readonly request?: ReadonlyArray<Extract<keyof z.input<Request>, string>>;
      readonly response?: ReadonlyArray<Extract<keyof z.input<Response>, string>>;
    };
  },
): Rpc<Request, Response> {
  const result = z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value: schemas.response }),
    z.object({ ok: z.literal(false), error: errorBody }),
  ]) as unknown as z.ZodType<RpcResult<z.output<Response>>>;
  const sealed = { request: schemas.sealed?.request ?? [], response: schemas.sealed?.response ?? [] };
  return { pattern, request: schemas.request, response: schemas.response, result, sealed };
}

export const SERVICE_NAMES = ['identity', 'mfa', 'policy'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export const RELAY_STATES = ['running', 'retrying', 'standby'] as const;
export type RelayState = (typeof RELAY_STATES)[number];

/** A service's relay to its integration topic (`IntegrationEventRelay`). */
export const relayHealth = z.object({
  /**
   * `retrying`: publishing failed (the broker is away); it resubscribes with
   * backoff until it can. `standby`: another instance of the service holds the
   * lease and publishes (`lag` is then that publisher's, from its checkpoint).
   */
  state: z.enum(RELAY_STATES),
  /** When it entered that state (ISO 8601). */
  since: z.string().max(64),
  /**
   * Events of the service's streams in its store after the last one the relay
   * handled (published, or passed over as not public): 0 when caught up;
   * counted up to 10 000, so 10 000 means at least that many.
   */
  lag: z.number().int().nonnegative(),
  /** Failed attempts since it started retrying. */
  failures: z.number().int().positive().optional(),
  /** The last failure, if there was one (also after it recovered). */
  lastError: z.string().max(1000).optional(),
  /**
   * Events not published since the service started because they broke their
   * contract (`libs/contracts/src/integration-events`): a bug, logged with
   * each event's position; the relay moved on past them.
   */
  invalid: z.number().int().positive().optional(),
});
export type RelayHealth = z.infer<typeof relayHealth>;

export const healthReport = z.object({
  service: z.enum(SERVICE_NAMES),
  status: z.literal('up'),
  transport: z.enum(['kafka', 'in-process']),
  eventStore: z.enum(['sqlite', 'postgresql', 'eventstoredb']),
  relay: relayHealth.optional(),
});
export type HealthReport = z.infer<typeof healthReport>;
