import type { Chunk, PlanDetail, Task } from '../../api/client';
import type { ValidationIssue } from '../../api/errors';

/** Where an issue is shown: next to a task, a chunk, a form for something new, or the plan as a whole. */
export const place = {
  task: (id: string) => `task:${id}`,
  chunk: (key: string) => `chunk:${key}`,
  newTask: (chunkKey: string) => `new-task:${chunkKey}`,
  newChunk: () => 'new-chunk',
  plan: () => 'plan',
};

/** Tasks in execution order: chunk by chunk, as the plan lists them. */
export const allTasks = (plan: PlanDetail): Task[] => plan.chunks.flatMap((c) => c.tasks);

/**
 * Sorts issues to the place they name: the task of `taskId`, else the task or chunk its `path` points
 * at (`tasks[3].title`, `chunks[1].key`), else the chunk of `chunkKey`, else `fallback` (the thing a
 * write was about), else the plan. Every issue lands somewhere: none is dropped.
 */
export function placeIssues(
  plan: PlanDetail,
  issues: readonly ValidationIssue[],
  fallback: string = place.plan(),
): Map<string, ValidationIssue[]> {
  const tasks = allTasks(plan);
  const taskIds = new Set(tasks.map((t) => t.id));
  const chunkKeys = new Set(plan.chunks.map((c) => c.key));
  const placed = new Map<string, ValidationIssue[]>();
  const put = (where: string, issue: ValidationIssue) =>
    placed.set(where, [...(placed.get(where) ?? []), issue]);
  for (const issue of issues) {
    const taskAt = /^tasks\[(\d+)\]/.exec(issue.path ?? '');
    const chunkAt = /^chunks\[(\d+)\]/.exec(issue.path ?? '');
    if (issue.taskId && taskIds.has(issue.taskId)) put(place.task(issue.taskId), issue);
    else if (!issue.taskId && taskAt && tasks[Number(taskAt[1])])
      put(place.task(tasks[Number(taskAt[1])].id), issue);
    else if (issue.chunkKey && chunkKeys.has(issue.chunkKey) && !issue.taskId)
      put(place.chunk(issue.chunkKey), issue);
    else if (chunkAt && plan.chunks[Number(chunkAt[1])])
      put(place.chunk(plan.chunks[Number(chunkAt[1])].key), issue);
    else put(fallback, issue);
  }
  return placed;
}

/** A readable id from a title (`Write the tests` → `write-the-tests`), unique among `taken`. */
export function newId(title: string, taken: ReadonlySet<string>, fallback: string): string {
  const slug = title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  const base = slug || fallback;
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  return id;
}

/** Acceptance criteria from a textarea: one per non-empty line. */
export const linesOf = (text: string): string[] =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/** `ids` with the item at `from` moved to `to`. */
export function moveItem<T>(items: readonly T[], from: number, to: number): T[] {
  const next = [...items];
  const [item] = next.splice(from, 1);
  next.splice(to, 0, item);
  return next;
}

/** The plan with one chunk's tasks in a new order (for an optimistic reorder). */
export const withTaskOrder = (plan: PlanDetail, chunkKey: string, ids: readonly string[]): PlanDetail => ({
  ...plan,
  chunks: plan.chunks.map((c) =>
    c.key === chunkKey
      ? { ...c, tasks: ids.map((id) => c.tasks.find((t) => t.id === id)).filter((t): t is Task => !!t) }
      : c,
  ),
});

/** The plan with its chunks in a new order (for an optimistic reorder). */
export const withChunkOrder = (plan: PlanDetail, keys: readonly string[]): PlanDetail => ({
  ...plan,
  chunks: keys.map((k) => plan.chunks.find((c) => c.key === k)).filter((c): c is Chunk => !!c),
});
