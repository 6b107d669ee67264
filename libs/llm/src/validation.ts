import type { z } from 'zod';

/** "tasks[2].dependsOn: Invalid input: expected array, received string" — what the repair turn quotes. */
export function formatIssues(issues: ReadonlyArray<z.core.$ZodIssue>): string[] {
  return issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return '(root)';
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

export type Checked<T> = { ok: true; value: T } | { ok: false; issues: string[] };

/** Parses the tool input with the schema, giving path-qualified issues on failure. */
export function checkInput<T>(schema: z.ZodType<T>, input: unknown): Checked<T> {
  const parsed = schema.safeParse(input);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, issues: formatIssues(parsed.error.issues) };
}
