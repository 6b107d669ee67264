import { randomUUID } from 'node:crypto';
import type { Metadata } from '@grpc/grpc-js';
import { z } from 'zod';
import { expectedRevisionSchema } from '../common/api-schemas';
import { RequestValidationError } from '../common/error-response';
import type { WriteOptions } from '../common/request-context';
import { ZodValidationPipe } from '../common/zod-validation.pipe';

const TOKEN = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,99}$/;
const entry = (metadata: Metadata | undefined, key: string) => {
  const v = metadata?.get(key)[0];
  return typeof v === 'string' && TOKEN.test(v) ? v : undefined;
};

/**
 * The options of a write made over gRPC, as REST builds them from its headers: the expected revision
 * (the request's `expected_revision`), the actor (`x-chunkwise-actor` metadata, else `grpc`) and
 * the correlation id (`x-request-id` metadata, else a fresh UUID).
 */
export function writeOptionsOf(metadata: Metadata | undefined, expectedRevision?: number): WriteOptions {
  const checked = new ZodValidationPipe(z.object({ expectedRevision: expectedRevisionSchema })).transform({
    expectedRevision,
  });
  return {
    expectedRevision: checked.expectedRevision,
    actor: entry(metadata, 'x-chunkwise-actor') ?? 'grpc',
    correlationId: entry(metadata, 'x-request-id') ?? randomUUID(),
  };
}

/** Parses a `*_json` field (empty means `{}` when `emptyAs` says so); invalid JSON is INVALID_ARGUMENT naming it. */
export function jsonField(value: string | undefined, field: string, emptyAs?: unknown): unknown {
  if (value === undefined || value.trim() === '') {
    if (emptyAs !== undefined) return emptyAs;
    throw new RequestValidationError([{ code: 'schema', path: field, message: `${field} is required` }]);
  }
  try {
    return JSON.parse(value) as unknown;
  } catch (e) {
    throw new RequestValidationError([
      {
        code: 'schema',
        path: field,
        message: `${field} must be JSON (${e instanceof Error ? e.message : String(e)})`,
      },
    ]);
  }
}

/** Validates a value with one of the REST API's zod schemas (every issue at once, INVALID_ARGUMENT). */
export function validated<S extends z.ZodType>(schema: S, value: unknown, what: 'body' | 'query' = 'body') {
  return new ZodValidationPipe(schema, what).transform(value);
}

/** A required identifier (plan id, task id, chunk key). */
export function required(value: string | undefined, field: string): string {
  if (!value)
    throw new RequestValidationError([{ code: 'schema', path: field, message: `${field} is required` }]);
  return value;
}
