import type { ValidationIssue } from './errors';

/** The shape validation needs; drafts may hold missing ids or chunk labels (empty strings). */
export interface ValidatablePlan {
  chunks: ReadonlyArray<{ key: string }>;
  tasks: ReadonlyArray<{ id: string; chunk: string; dependsOn: readonly string[] }>;
}

export interface ValidateOptions {
  /** At finalize a plan must hold at least one task. */
  requireTasks?: boolean;
}

const label = (id: string, index: number) => (id ? `task ${id}` : `task #${index + 1}`);

/**
 * Checks the referential rules of a plan and returns every problem at once (never stops at the
 * first). An empty array means the plan is valid.
 */
export function validatePlan(plan: ValidatablePlan, options: ValidateOptions = {}): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const chunkIndex = new Map<string, number>();
  plan.chunks.forEach((chunk, i) => {
    if (chunkIndex.has(chunk.key)) {
      issues.push({
        code: 'duplicate_chunk_key',
        chunkKey: chunk.key,
        path: `chunks[${i}].key`,
        message: `chunk ${chunk.key}: duplicate chunk key`,
      });
    } else {
      chunkIndex.set(chunk.key, i);
    }
  });

  const taskChunk = new Map<string, number>(); // task id -> chunk index (or -1 when unknown)
  const seen = new Set<string>();
  plan.tasks.forEach((task, i) => {
    const name = label(task.id, i);
    if (!task.id) {
      issues.push({ code: 'missing_task_id', path: `tasks[${i}].id`, message: `${name}: missing task id` });
    } else if (seen.has(task.id)) {
      issues.push({
        code: 'duplicate_task_id',
        taskId: task.id,
        path: `tasks[${i}].id`,
        message: `${name}: duplicate task id`,
      });
    } else {
      seen.add(task.id);
    }
    if (!task.chunk) {
      issues.push({
        code: 'task_without_chunk',
        taskId: task.id || undefined,
        path: `tasks[${i}].chunk`,
        message: `${name}: has no chunk`,
      });
    } else if (!chunkIndex.has(task.chunk)) {
      issues.push({
        code: 'unknown_chunk',
        taskId: task.id || undefined,
        chunkKey: task.chunk,
        path: `tasks[${i}].chunk`,
        message: `${name}: unknown chunk ${task.chunk}`,
      });
    }
    if (task.id && !taskChunk.has(task.id)) taskChunk.set(task.id, chunkIndex.get(task.chunk) ?? -1);
  });

  plan.tasks.forEach((task, i) => {
    const name = label(task.id, i);
    const own = chunkIndex.get(task.chunk);
    for (const dep of task.dependsOn) {
      if (!taskChunk.has(dep)) {
        issues.push({
          code: 'unknown_dependency',
          taskId: task.id || undefined,
          path: `tasks[${i}].dependsOn`,
          message: `${name}: depends on unknown task ${dep}`,
        });
        continue;
      }
      const depChunk = taskChunk.get(dep)!;
      if (own !== undefined && depChunk > own) {
        issues.push({
          code: 'dependency_on_later_chunk',
          taskId: task.id || undefined,
          chunkKey: task.chunk,
          path: `tasks[${i}].dependsOn`,
          message: `${name}: depends on ${dep} in later chunk ${plan.chunks[depChunk].key}`,
        });
      }
    }
  });

  for (const cycle of findCycles(plan.tasks)) {
    issues.push({
      code: 'dependency_cycle',
      taskId: cycle[0],
      message: `dependency cycle: ${[...cycle, cycle[0]].join(' → ')}`,
    });
  }

  if (options.requireTasks && plan.tasks.length === 0) {
    issues.push({ code: 'empty_plan', message: 'plan has no tasks' });
  }
  return issues;
}

/** Each elementary cycle reported once (by DFS back edges), as the list of task ids along it. */
export function findCycles(tasks: ReadonlyArray<{ id: string; dependsOn: readonly string[] }>): string[][] {
  const deps = new Map<string, readonly string[]>();
  for (const t of tasks) if (t.id && !deps.has(t.id)) deps.set(t.id, t.dependsOn);
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];

  // Iterative DFS so that deep chains (thousands of tasks) cannot overflow the call stack.
  for (const root of deps.keys()) {
    if (state.has(root)) continue;
    const frames: Array<{ id: string; next: number }> = [{ id: root, next: 0 }];
    state.set(root, 'visiting');
    stack.push(root);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1];
      const children = deps.get(frame.id) ?? [];
      if (frame.next < children.length) {
        const child = children[frame.next++];
        if (!deps.has(child)) continue;
        const s = state.get(child);
        if (s === 'visiting') {
          cycles.push(stack.slice(stack.indexOf(child)));
        } else if (s === undefined) {
          state.set(child, 'visiting');
          stack.push(child);
          frames.push({ id: child, next: 0 });
        }
      } else {
        state.set(frame.id, 'done');
        stack.pop();
        frames.pop();
      }
    }
  }
  return cycles;
}
