import { z } from 'zod';

export type JsonSchemaObject = { type: 'object'; [key: string]: unknown };

const cache = new WeakMap<z.ZodType, JsonSchemaObject>();

/**
 * The zod schema as a tool `input_schema`. The API needs an object at the top level; `$schema`
 * is dropped (it constrains nothing), and zod's safe-integer bounds are dropped to save tokens.
 * `io: 'input'` because the model writes what the schema parses (defaults may be omitted).
 */
export function toolInputSchema(schema: z.ZodType): JsonSchemaObject {
  const cached = cache.get(schema);
  if (cached) return cached;
  let json: Record<string, unknown>;
  try {
    json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'throw' }) as Record<string, unknown>;
  } catch (err) {
    throw new TypeError(`the tool schema cannot be expressed as JSON Schema: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const { $schema: _dialect, ...rest } = json;
  if (rest.type !== 'object') {
    throw new TypeError(
      `a tool input schema must be a z.object(...), got JSON Schema type ${String(rest.type)}`,
    );
  }
  const result = dropSafeIntegerBounds(rest) as JsonSchemaObject;
  cache.set(schema, result);
  return result;
}

function dropSafeIntegerBounds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(dropSafeIntegerBounds);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'minimum' && value === Number.MIN_SAFE_INTEGER) continue;
    if (key === 'maximum' && value === Number.MAX_SAFE_INTEGER) continue;
    out[key] = dropSafeIntegerBounds(value);
  }
  return out;
}
