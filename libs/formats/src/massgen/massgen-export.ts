import type { PlanContent, Task } from '@chunkwise/domain';
import { tasksOf } from '../markdown/md-write';
import type { ExportedPlan } from '../types';
import { Warnings } from '../warnings';

/**
 * MassGen `project_plan.json`: `{"tasks": [{id, chunk, task_type, description, status,
 * depends_on, priority, success_criteria, metadata}]}`. The title is the first line of the
 * description. Chunk titles, modes and the plan's own title go to `metadata.chunkwise` (MassGen's
 * chunks are only labels); so does a task's exact status when MassGen has no word for it.
 */
export function exportMassGen(content: PlanContent): ExportedPlan {
  const warnings = new Warnings();
  if (content.execution)
    warnings.add('not_exported', 'MassGen has no place for the execution settings; not exported');
  for (const c of content.chunks)
    if (tasksOf(content, c).length === 0)
      warnings.add(
        'not_exported',
        `chunk ${c.key} has no tasks; MassGen chunks exist only as task labels, so it was not exported`,
      );
  const chunks = content.chunks.filter((c) => tasksOf(content, c).length > 0);
  const order = new Map(chunks.map((c, i) => [c.key, i]));
  const tasks = [...content.tasks].sort((a, b) => (order.get(a.chunk) ?? 0) - (order.get(b.chunk) ?? 0));
  const file = {
    tasks: tasks.map(taskEntry),
    metadata: {
      chunkwise: {
        title: content.title,
        description: content.description,
        ...(content.repository ? { repository: content.repository } : {}),
        chunks: chunks.map((c) => ({
          key: c.key,
          title: c.title,
          description: c.description,
          executionMode: c.executionMode,
          pauseAfter: c.pauseAfter,
        })),
      },
    },
  };
  return {
    format: 'massgen',
    files: [
      {
        name: 'project_plan.json',
        content: `${JSON.stringify(file, null, 2)}\n`,
        mediaType: 'application/json',
      },
    ],
    warnings: warnings.toArray(),
  };
}

function taskEntry(task: Task) {
  const ours: Record<string, unknown> = {};
  const { status, exact } = statusOf(task);
  if (!exact) ours.status = task.status;
  if (task.cancelled) ours.cancelled = true;
  if (task.labels.length > 0) ours.labels = task.labels;
  if (task.optional) ours.optional = true;
  if (task.canRunInParallel) ours.parallel = true;
  // The import takes the first line as the title: a title it would not read back goes here too.
  const title = task.title.trim();
  const plain = title === task.title && !title.includes('\n') && title.length > 0 && title.length <= 200;
  if (!plain) ours.title = task.title;
  const label = (prefix: string) => task.labels.find((l) => l.startsWith(prefix))?.slice(prefix.length);
  return {
    id: task.id,
    chunk: task.chunk,
    ...(label('type:') ? { task_type: label('type:') } : {}),
    description: !plain
      ? task.description
      : task.description.trim()
        ? `${title}\n\n${task.description}`
        : title,
    status,
    depends_on: task.dependsOn,
    ...(label('priority:') ? { priority: label('priority:') } : {}),
    success_criteria: task.acceptance,
    metadata: Object.keys(ours).length ? { chunkwise: ours } : {},
  };
}

/** MassGen knows pending, in_progress, completed, verified; a skipped task is written completed so that MassGen does not run it. */
function statusOf(task: Task): { status: string; exact: boolean } {
  switch (task.status) {
    case 'pending':
      return { status: 'pending', exact: !task.cancelled };
    case 'completed':
      return { status: 'completed', exact: true };
    case 'running':
      return { status: 'in_progress', exact: false };
    default:
      return { status: task.status === 'skipped' ? 'completed' : 'pending', exact: false };
  }
}
