import type { ValidationIssue } from './errors';

/**
 * Bounds on a free-form JSON value (anything a request carries that no schema describes all the
 * way down). Every serializer of the system (the event store's JSON, the read models, YAML export)
 * recurses, so a value nested thousands of levels deep would overflow the stack long after it was
 * accepted: such values are refused when they are written, naming the path where a bound was hit.
 */
export interface JsonBounds {
  /** Levels of objects/arrays; the value itself is level 1 when it is one. */
  maxDepth: number;
  /** Values (objects, arrays, strings, numbers, ...), one each; keys are not counted. */
  maxNodes: number;
  /** Approximate JSON size: string and key lengths (UTF-16 code units) plus a little per value. */
  maxSize: number;
}

/** The bounds of a request body, and of any free-form part of one. */
export const REQUEST_JSON_BOUNDS: Readonly<JsonBounds> = {
  maxDepth: 64,
  maxNodes: 2_000_000,
  maxSize: 64 * 1024 * 1024,
};

interface Frame {
  value: unknown;
  key: string | number | undefined;
  parent: Frame | undefined;
  depth: number;
}

const segment = (key: string | number) =>
  typeof key === 'number'
    ? `[${key}]`
    : /^[A-Za-z_$][\w$-]{0,59}$/.test(key)
      ? `.${key}`
      : `[${JSON.stringify(key.length > 60 ? `${key.slice(0, 60)}…` : key)}]`;

function pathOf(prefix: string, frame: Frame): string | undefined {
  const keys: Array<string | number> = [];
  for (let f: Frame | undefined = frame; f?.key !== undefined; f = f.parent) keys.push(f.key);
  return (prefix + keys.reverse().map(segment).join('')).replace(/^\./, '') || undefined;
}

/**
 * Checks `value` against `bounds` without recursion (a value of any depth is safe to check) and
 * returns the first problem found, naming its path under `prefix` (e.g. `execution.a.a.a`), or an
 * empty list. Values that are not JSON (functions, symbols, bigints) are problems too; a cycle
 * ends as "nested too deeply".
 */
export function jsonBoundsIssues(
  value: unknown,
  prefix = '',
  bounds: Readonly<JsonBounds> = REQUEST_JSON_BOUNDS,
): ValidationIssue[] {
  const stack: Frame[] = [{ value, key: undefined, parent: undefined, depth: 1 }];
  let nodes = 0;
  let size = 0;
  const issue = (frame: Frame, what: string): ValidationIssue[] => {
    const path = pathOf(prefix, frame);
    return [{ code: 'schema', path, message: `${path ?? 'value'}: ${what}` }];
  };
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const v = frame.value;
    if (++nodes > bounds.maxNodes) return issue(frame, `holds more than ${bounds.maxNodes} values`);
    if (typeof v === 'string') size += v.length + 2;
    else if (v === null || v === undefined || typeof v === 'boolean' || typeof v === 'number') size += 5;
    else if (typeof v === 'object') {
      if (frame.depth > bounds.maxDepth)
        return issue(frame, `nested more than ${bounds.maxDepth} levels deep`);
      size += 2;
      if (Array.isArray(v)) {
        for (let i = v.length - 1; i >= 0; i--)
          stack.push({ value: v[i], key: i, parent: frame, depth: frame.depth + 1 });
      } else {
        const keys = Object.keys(v);
        for (let i = keys.length - 1; i >= 0; i--) {
          size += keys[i].length + 3;
          stack.push({
            value: (v as Record<string, unknown>)[keys[i]],
            key: keys[i],
            parent: frame,
            depth: frame.depth + 1,
          });
        }
      }
    } else return issue(frame, `not a JSON value (${typeof v})`);
    if (size > bounds.maxSize) return issue(frame, `larger than about ${bounds.maxSize} bytes`);
  }
  return [];
}

/** The depth of a JSON value (objects/arrays levels), computed without recursion; 0 for a scalar. */
export function jsonDepth(value: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    max = Math.max(max, depth);
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return max;
}
