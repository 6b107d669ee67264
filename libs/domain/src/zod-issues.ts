import type { z } from 'zod';
import type { ValidationIssue } from './errors';

/** Converts zod issues into validation issues with a JSON path. */
export function zodIssues(error: z.ZodError, prefix = ''): ValidationIssue[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))]
      .join('')
      .replace(/^\./, '');
    return {
      code: 'schema' as const,
      path: path || undefined,
      message: `${path || 'document'}: ${issue.message}`,
    };
  });
}
