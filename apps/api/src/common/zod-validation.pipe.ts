import { type PipeTransform } from '@nestjs/common';
import { jsonBoundsIssues, zodIssues } from '@chunkwise/domain';
import type { z } from 'zod';
import { RequestValidationError } from './error-response';

/**
 * Validates a body or query with a zod schema, reporting EVERY issue (400) in the same format as
 * the domain's validation errors; any value nested or sized beyond REQUEST_JSON_BOUNDS is refused
 * first (400 naming its path). The schemas are the ones the OpenAPI document is generated from.
 */
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(
    private readonly schema: S,
    private readonly what: 'body' | 'query' = 'body',
  ) {}

  transform(value: unknown): z.output<S> {
    // Depth and size first (without recursion): no schema, serializer or log line downstream ever
    // meets a value nested thousands of levels deep. 400 naming where the bound was hit.
    const bounds = jsonBoundsIssues(value, this.what);
    if (bounds.length > 0) throw new RequestValidationError(bounds, `invalid request ${this.what}`);
    const result = this.schema.safeParse(value === undefined && this.what === 'body' ? {} : value);
    if (!result.success)
      throw new RequestValidationError(zodIssues(result.error, this.what), `invalid request ${this.what}`);
    return result.data;
  }
}
