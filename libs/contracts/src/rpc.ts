import type { z } from 'zod';

/**
 * One request/reply pattern: its name (`<service>.<verb-noun>`), the schema its
 * payload is validated with at the receiving edge, and (as a phantom type) what
 * it answers.
 */
export interface Rpc<Schema extends z.ZodType, Response> {
  readonly pattern: string;
  readonly request: Schema;
  /** Type-level only: never set. */
  readonly response?: Response;
}

export type RequestOf<R> = R extends Rpc<infer Schema, unknown> ? z.input<Schema> : never;
export type ParsedRequestOf<R> = R extends Rpc<infer Schema, unknown> ? z.output<Schema> : never;
export type ResponseOf<R> = R extends Rpc<z.ZodType, infer Response> ? Response : never;

export const rpc =
  <Response>() =>
  <Schema extends z.ZodType>(pattern: string, request: Schema): Rpc<Schema, Response> => ({
    pattern,
    request,
  });

export type ServiceName = 'identity' | 'mfa' | 'policy';

export interface HealthReport {
  readonly service: ServiceName;
  readonly status: 'up';
  readonly transport: 'kafka' | 'in-process';
  readonly eventStore: 'sqlite' | 'eventstoredb';
}
