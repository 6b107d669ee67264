import { ValidationError, type ValidationIssue } from './errors';
import {
  planContentSchema,
  planDocumentSchema,
  type Chunk,
  type PlanContent,
  type PlanDocument,
  type Task,
} from './schemas';
import { jsonBoundsIssues } from './json-bounds';
import { validatePlan } from './validation';
import { zodIssues } from './zod-issues';

export { zodIssues } from './zod-issues';

function titleFromKey(key: string): string {
  const words = key
    .replace(/^C\d+[_-]?/i, '')
    .replace(/[_-]+/g, ' ')
    .trim();
  return words ? words[0].toUpperCase() + words.slice(1) : key;
}

/**
 * Turns a plan document into plan content, or returns every problem found. Chunks omitted from the
 * document are derived from the tasks' `chunk` labels in order of first appearance; `depends_on` is
 * accepted for `dependsOn`. Structural (zod) and referential issues are reported together.
 */
export function parsePlanDocument(
  input: unknown,
): { ok: true; content: PlanContent } | { ok: false; issues: ValidationIssue[] } {
  // Bounded first: whatever of the document no schema reads must still be safe to hold.
  const bounds = jsonBoundsIssues(input);
  if (bounds.length > 0) return { ok: false, issues: bounds };
  const parsed = planDocumentSchema.safeParse(input);
  if (!parsed.success) return { ok: false, issues: zodIssues(parsed.error) };
  const doc = parsed.data;

  const chunks: Chunk[] = [];
  const declared = new Set<string>();
  for (const c of doc.chunks ?? []) {
    declared.add(c.key);
    chunks.push({
      key: c.key,
      title: c.title ?? titleFromKey(c.key),
      description: c.description ?? '',
      executionMode: c.executionMode ?? 'sequential',
      pauseAfter: c.pauseAfter ?? false,
    });
  }
  const tasks: Task[] = doc.tasks.map((t) => {
    const deps = (t.dependsOn ?? t.depends_on ?? []).map(String);
    return {
      id: t.id === undefined ? '' : String(t.id),
      chunk: t.chunk ?? '',
      title: t.title && t.title.length > 0 ? t.title : (t.description?.split('\n')[0].slice(0, 120) ?? ''),
      description: t.description ?? '',
      dependsOn: [...new Set(deps)],
      canRunInParallel: t.canRunInParallel ?? false,
      acceptance: t.acceptance ?? [],
      // A cancelled task is kept for the record but never runs.
      status: t.cancelled && (t.status ?? 'pending') === 'pending' ? 'skipped' : (t.status ?? 'pending'),
      attempts: 0,
      lastError: null,
      commitSha: null,
      labels: [...new Set(t.labels ?? [])],
      optional: t.optional ?? false,
      cancelled: t.cancelled ?? false,
      // Present only when the task works in another repository than the plan's.
      ...(t.repository ? { repository: t.repository } : {}),
    };
  });
  if (doc.chunks === undefined) {
    for (const t of tasks) {
      if (t.chunk && !declared.has(t.chunk)) {
        declared.add(t.chunk);
        chunks.push({
          key: t.chunk,
          title: titleFromKey(t.chunk),
          description: '',
          executionMode: 'sequential',
          pauseAfter: false,
        });
      }
    }
  }

  const issues = validatePlan({ chunks, tasks });
  tasks.forEach((t, i) => {
    if (!t.title)
      issues.push({
        code: 'schema',
        taskId: t.id || undefined,
        path: `tasks[${i}].title`,
        message: `task ${t.id || `#${i + 1}`}: missing title`,
      });
  });
  const content = {
    title: doc.title,
    description: doc.description ?? '',
    repository: doc.repository ?? null,
    chunks,
    tasks,
    execution: doc.execution ?? null,
  };
  // Ids and keys were only checked for presence above; the strict schema checks their form too.
  if (issues.length === 0) {
    const strict = planContentSchema.safeParse(content);
    if (!strict.success) return { ok: false, issues: zodIssues(strict.error) };
    return { ok: true, content: strict.data };
  }
  return { ok: false, issues };
}

/** Like parsePlanDocument, but throws a ValidationError listing every issue. */
export function planContentFromDocument(input: unknown): PlanContent {
  const result = parsePlanDocument(input);
  if (!result.ok) throw new ValidationError(result.issues, 'invalid plan document');
  return result.content;
}

/** The plan document form of plan content (what export and `plans show --json` print). */
export function planContentToDocument(content: PlanContent): PlanDocument {
  return {
    title: content.title,
    description: content.description,
    repository: content.repository,
    chunks: content.chunks.map((c) => ({ ...c })),
    tasks: content.tasks.map((t) => ({
      id: t.id,
      chunk: t.chunk,
      title: t.title,
      description: t.description,
      dependsOn: [...t.dependsOn],
      canRunInParallel: t.canRunInParallel,
      acceptance: [...t.acceptance],
      status: t.status,
      // Markers appear only when set, so ordinary documents stay as users write them.
      ...(t.labels.length ? { labels: [...t.labels] } : {}),
      ...(t.optional ? { optional: true } : {}),
      ...(t.cancelled ? { cancelled: true } : {}),
      ...(t.repository ? { repository: t.repository } : {}),
    })),
    execution: content.execution,
  };
}
