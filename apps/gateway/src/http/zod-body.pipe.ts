import type { PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { parseOrRefuse } from '#contracts';

/** Validates a request body (or param) with a zod schema: `400 validation_failed` naming each problem. */
export class ZodPipe<Schema extends z.ZodType> implements PipeTransform<unknown, z.output<Schema>> {
  constructor(private readonly schema: Schema) {}

  transform(value: unknown): z.output<Schema> {
    return parseOrRefuse(this.schema, value, { code: 'validation_failed', root: 'body' });
  }
}
