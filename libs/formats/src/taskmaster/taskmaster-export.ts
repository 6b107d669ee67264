import type { Chunk, PlanContent, Task } from '@chunkwise/domain';
import { derivedChunkKey, tasksOf } from '../markdown/md-write';
import type { ExportedPlan } from '../types';
import { Warnings } from '../warnings';

const PRIORITIES = ['low', 'medium', 'high', 'critical'];

/** Where a Chunkwise task sits in the exported file: a top-level task, or subtask `sub` of `top`. */
interface Place {
  top: number;
  sub?: number;
}

/**
 * Task Master `tasks.json` (tagged: `{ "<tag>": { "tasks": [...], "metadata": {...} } }`). Each
 * chunk becomes a top-level task with the chunk's tasks as subtasks (a chunk of one task with the
 * task's title is a plain top-level task), so the import gives the same chunks back. Statuses:
 * completed → done, cancelled → cancelled, running → in-progress, others → pending/deferred.
 * What Task Master has no field for (the Chunkwise id, labels, several acceptance criteria, chunk
 * key and mode, exact status) goes to each task's `metadata.chunkwise`, which Task Master keeps.
 */
export function exportTaskMaster(content: PlanContent, tag = 'master', now = new Date()): ExportedPlan {
  const warnings = new Warnings();
  if (content.execution)
    warnings.add('not_exported', 'Task Master has no place for the execution settings; not exported');
  const chunks = content.chunks.filter((chunk) => {
    if (tasksOf(content, chunk).length > 0) return true;
    warnings.add(
      'not_exported',
      `chunk ${chunk.key} has no tasks; Task Master has no empty groups, so it was not exported`,
    );
    return false;
  });
  const single = (chunk: Chunk, tasks: Task[]) =>
    tasks.length === 1 && tasks[0].title === chunk.title && !chunk.description.trim();

  const places = new Map<string, Place>();
  chunks.forEach((chunk, ci) => {
    const tasks = tasksOf(content, chunk);
    if (single(chunk, tasks)) places.set(tasks[0].id, { top: ci + 1 });
    else tasks.forEach((t, j) => places.set(t.id, { top: ci + 1, sub: j + 1 }));
  });
  const ref = (target: string, from: Place): number | string | undefined => {
    const p = places.get(target);
    if (!p) return undefined;
    if (p.sub === undefined) return p.top;
    // A sibling subtask is named by its number, as Task Master writes it; others by "parent.sub".
    return from.sub !== undefined && from.top === p.top ? p.sub : `${p.top}.${p.sub}`;
  };

  const exported = chunks.map((chunk, ci) => {
    const n = ci + 1;
    const tasks = tasksOf(content, chunk);
    const chunkMeta = chunkSettings(chunk, n, chunks.length);
    if (single(chunk, tasks)) return taskEntry(tasks[0], n, String(n), { top: n }, ref, warnings, chunkMeta);
    const done = tasks.every((t) => t.status === 'completed' || t.status === 'skipped');
    return {
      id: n,
      title: chunk.title,
      description: chunk.description,
      details: '',
      testStrategy: '',
      status: done ? 'done' : 'pending',
      dependencies: [],
      priority: 'medium',
      subtasks: tasks.map((t, j) => {
        const { subtasks: _none, ...sub } = taskEntry(
          t,
          j + 1,
          `${n}.${j + 1}`,
          { top: n, sub: j + 1 },
          ref,
          warnings,
        );
        return { ...sub, parentTaskId: n };
      }),
      // Empty labels: the parent's priority must not become a label of its subtasks.
      metadata: { chunkwise: { labels: [], ...(chunkMeta ? { chunk: chunkMeta } : {}) } },
    };
  });
  const file = {
    [tag]: {
      tasks: exported,
      metadata: {
        created: now.toISOString(),
        updated: now.toISOString(),
        description: content.description,
        chunkwise: {
          title: content.title,
          description: content.description,
          ...(content.repository ? { repository: content.repository } : {}),
        },
      },
    },
  };
  return {
    format: 'taskmaster',
    files: [
      { name: 'tasks.json', content: `${JSON.stringify(file, null, 2)}\n`, mediaType: 'application/json' },
    ],
    warnings: warnings.toArray(),
  };
}

function taskEntry(
  task: Task,
  id: number,
  displayId: string,
  place: Place,
  ref: (target: string, from: Place) => number | string | undefined,
  warnings: Warnings,
  chunk?: Record<string, unknown>,
): Record<string, unknown> {
  const priorityLabel = task.labels.find((l) => l.startsWith('priority:'))?.slice('priority:'.length);
  const priority = priorityLabel && PRIORITIES.includes(priorityLabel) ? priorityLabel : 'medium';
  const { status, exact } = statusOf(task);
  const ours: Record<string, unknown> = {};
  if (task.id !== displayId) ours.id = task.id;
  if (!exact) ours.status = task.status;
  if (task.cancelled !== (status === 'cancelled')) ours.cancelled = task.cancelled;
  const derivedLabels = [`priority:${priority}`];
  if (task.labels.length !== 1 || task.labels[0] !== derivedLabels[0]) ours.labels = task.labels;
  if (task.acceptance.length > 1 || task.acceptance.some((a) => a.includes('\n') || a !== a.trim()))
    ours.acceptance = task.acceptance;
  if (task.optional) ours.optional = true;
  if (task.canRunInParallel) ours.parallel = true;
  if (chunk) ours.chunk = chunk;
  const dependencies = task.dependsOn
    .map((d) => {
      const r = ref(d, place);
      if (r === undefined)
        warnings.add('not_exported', `dependency of ${task.id} on ${d} has no task to point to; dropped`);
      return r;
    })
    .filter((r) => r !== undefined);
  // On a subtask, Task Master reads a plain number as a sibling subtask: a top-level task's number
  // is ambiguous there, so the exact dependencies travel in our metadata too.
  if (place.sub !== undefined && dependencies.some((r) => typeof r === 'number'))
    ours.dependsOn = task.dependsOn;
  return {
    id,
    title: task.title,
    description: task.description,
    details: '',
    testStrategy: task.acceptance.join('\n'),
    status,
    dependencies,
    priority,
    subtasks: [],
    ...(Object.keys(ours).length ? { metadata: { chunkwise: ours } } : {}),
  };
}

function statusOf(task: Task): { status: string; exact: boolean } {
  if (task.cancelled) return { status: 'cancelled', exact: task.status === 'skipped' };
  switch (task.status) {
    case 'completed':
      return { status: 'done', exact: true };
    case 'pending':
      return { status: 'pending', exact: true };
    case 'running':
      return { status: 'in-progress', exact: false };
    case 'skipped':
      return { status: 'deferred', exact: false };
    default:
      return { status: 'pending', exact: false };
  }
}

function chunkSettings(chunk: Chunk, position: number, count: number): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  if (chunk.key !== derivedChunkKey(chunk.title, position, count)) out.key = chunk.key;
  if (chunk.executionMode !== 'sequential') out.executionMode = chunk.executionMode;
  if (chunk.pauseAfter) out.pauseAfter = true;
  return Object.keys(out).length ? out : undefined;
}
