import { ValidationError, type ValidationIssue } from '@chunkwise/domain';
import type { ImportError } from '@chunkwise/formats';

/**
 * An import that failed is a 400 listing every problem, each with where it is: a JSON path
 * (`tasks[3].dependencies[0]`) or a line (`tasks.md line 12`).
 */
export function importValidationError(err: ImportError, filename: string | undefined): ValidationError {
  const issues: ValidationIssue[] = err.issues.map((i) => {
    const where = i.path ?? (i.line !== undefined ? `line ${i.line}` : undefined);
    const path = i.file && where ? `${i.file} ${where}` : (where ?? i.file);
    return { code: 'schema', message: i.message, ...(path ? { path } : {}) };
  });
  const what = filename ? ` ${filename}` : '';
  return new ValidationError(issues, `cannot import${what}${err.format ? ` as ${err.format}` : ''}`);
}
