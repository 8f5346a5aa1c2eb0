import { z } from 'zod';
import { DomainError, type ErrorCode } from './errors.js';
import { MAX_ROLE_LENGTH, MAX_ROLES, ROLE_NAME } from './roles.js';

/** Shared payload pieces, validated the same way at the HTTP edge and the Kafka edge. */
export const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be an identifier');
export const email = z.string().trim().min(3).max(254).email();
/** Length rules (12+ code points) are the identity service's password policy, answered as `weak_password`. */
export const password = z.string().min(1).max(1024);
export const role = z.string().trim().min(1).max(MAX_ROLE_LENGTH).regex(ROLE_NAME, 'must be a lower-case role name');
export const roles = z.array(role).max(MAX_ROLES);
export const totpCode = z.string().regex(/^\d{6,8}$/, 'must be 6 to 8 digits');
/**
 * A correlation id (the gateway's X-Request-Id, or one it made): short, and
 * safe in a header, a log line and a Kafka header. The one definition for the
 * gateway, the request envelope and the integration-event envelope.
 */
export const CORRELATION_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
export const correlationId = z.string().regex(CORRELATION_ID_PATTERN);
export const loginContext = z.object({ ip: z.string().max(64), userAgent: z.string().max(512) });
export const empty = z.object({}).optional();

/**
 * A payload checked at an edge (HTTP body, Kafka message): the parsed value, or
 * a `DomainError` naming each problem by its path (`root` for the whole
 * payload), never the values themselves.
 */
export function parseOrRefuse<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  refusal: { readonly code: ErrorCode; readonly root: string },
): z.output<Schema> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || refusal.root}: ${issue.message}`);
  throw new DomainError(refusal.code, problems.join('; '));
}
