import type { Chunk, PlanContent, Task } from './schemas';

/** A field that differs between two revisions. */
export interface FieldChange {
  from: unknown;
  to: unknown;
}

export interface PlanDiff {
  details: Record<string, FieldChange>;
  chunks: {
    added: Chunk[];
    removed: Chunk[];
    changed: Array<{ key: string; changes: Record<string, FieldChange> }>;
    /** Whether the chunks common to both revisions are in a different order. */
    reordered: boolean;
  };
  tasks: {
    added: Task[];
    removed: Task[];
    changed: Array<{ id: string; changes: Record<string, FieldChange> }>;
  };
}

// Content fields only: attempts, errors and commits are execution state, not part of a revision.
const TASK_FIELDS = [
  'chunk',
  'title',
  'description',
  'dependsOn',
  'canRunInParallel',
  'acceptance',
  'status',
  'labels',
  'optional',
  'cancelled',
] as const satisfies ReadonlyArray<keyof Task>;
const CHUNK_FIELDS = ['title', 'description', 'executionMode', 'pauseAfter'] as const;
const DETAIL_FIELDS = ['title', 'description', 'repository', 'execution'] as const;

function fieldChanges<T extends object>(
  a: T,
  b: T,
  fields: readonly (keyof T)[],
): Record<string, FieldChange> {
  const out: Record<string, FieldChange> = {};
  for (const f of fields) {
    if (JSON.stringify(a[f]) !== JSON.stringify(b[f])) out[String(f)] = { from: a[f], to: b[f] };
  }
  return out;
}

/** What changed from one plan content to another: chunks and tasks added, removed and changed. */
export function diffContents(from: PlanContent, to: PlanContent): PlanDiff {
  const fromChunks = new Map(from.chunks.map((c) => [c.key, c]));
  const toChunks = new Map(to.chunks.map((c) => [c.key, c]));
  const fromTasks = new Map(from.tasks.map((t) => [t.id, t]));
  const toTasks = new Map(to.tasks.map((t) => [t.id, t]));

  const commonFrom = from.chunks.filter((c) => toChunks.has(c.key)).map((c) => c.key);
  const commonTo = to.chunks.filter((c) => fromChunks.has(c.key)).map((c) => c.key);

  return {
    details: fieldChanges(from, to, DETAIL_FIELDS),
    chunks: {
      added: to.chunks.filter((c) => !fromChunks.has(c.key)),
      removed: from.chunks.filter((c) => !toChunks.has(c.key)),
      changed: to.chunks
        .filter((c) => fromChunks.has(c.key))
        .map((c) => ({ key: c.key, changes: fieldChanges(fromChunks.get(c.key)!, c, CHUNK_FIELDS) }))
        .filter((c) => Object.keys(c.changes).length > 0),
      reordered: commonFrom.join('\0') !== commonTo.join('\0'),
    },
    tasks: {
      added: to.tasks.filter((t) => !fromTasks.has(t.id)),
      removed: from.tasks.filter((t) => !toTasks.has(t.id)),
      changed: to.tasks
        .filter((t) => fromTasks.has(t.id))
        .map((t) => ({ id: t.id, changes: fieldChanges(fromTasks.get(t.id)!, t, TASK_FIELDS) }))
        .filter((t) => Object.keys(t.changes).length > 0),
    },
  };
}

/** Whether a diff holds no change at all. */
export const isEmptyDiff = (d: PlanDiff) =>
  Object.keys(d.details).length === 0 &&
  d.chunks.added.length + d.chunks.removed.length + d.chunks.changed.length === 0 &&
  !d.chunks.reordered &&
  d.tasks.added.length + d.tasks.removed.length + d.tasks.changed.length === 0;
