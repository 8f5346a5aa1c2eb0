import type { PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { DomainError } from '#contracts';

/** Validates a request body (or param) with a zod schema: `400 validation_failed` naming each problem. */
export class ZodPipe<Schema extends z.ZodType> implements PipeTransform<unknown, z.output<Schema>> {
  constructor(private readonly schema: Schema) {}

  transform(value: unknown): z.output<Schema> {
    const parsed = this.schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`);
    throw new DomainError('validation_failed', problems.join('; '));
  }
}
