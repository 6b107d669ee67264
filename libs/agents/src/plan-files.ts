/**
 * The plan files an agent turn reads in its work tree (`.chunkwise/`, never committed):
 * plan.json, the current chunk's tasks, which a chunk-scoped turn edits to mark tasks completed;
 * full_plan.json, the whole frozen plan, read-only.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { SessionChunk, SessionState, SessionTask } from '@chunkwise/domain';

export interface TurnFiles {
  dir: string;
  planFile: string;
  fullPlanFile: string;
  promptFile: string;
}

export function turnFiles(worktree: string): TurnFiles {
  const dir = path.join(worktree, '.chunkwise');
  return {
    dir,
    planFile: path.join(dir, 'plan.json'),
    fullPlanFile: path.join(dir, 'full_plan.json'),
    promptFile: path.join(dir, 'prompt.md'),
  };
}

/** The part of a session's state the plan files show. */
export type PlanFilesState = Pick<SessionState, 'planTitle' | 'revision' | 'chunks' | 'tasks'>;

const taskEntry = (t: SessionTask) => ({
  id: t.id,
  title: t.title,
  description: t.description,
  acceptance: t.acceptance,
  dependsOn: t.dependsOn,
  status: t.status,
});

/** Ids of the chunk's tasks that this session executes (tasks out of scope are left out). */
export const chunkTaskIds = (state: PlanFilesState, chunk: SessionChunk): string[] =>
  state.tasks.filter((t) => t.chunk === chunk.key && !t.outOfScope).map((t) => t.id);

export function chunkPlan(state: PlanFilesState, chunk: SessionChunk) {
  return {
    plan: state.planTitle,
    revision: state.revision,
    chunk: { key: chunk.key, title: chunk.title, executionMode: chunk.executionMode },
    tasks: state.tasks.filter((t) => t.chunk === chunk.key && !t.outOfScope).map(taskEntry),
  };
}

export function fullPlan(state: PlanFilesState) {
  return {
    plan: state.planTitle,
    revision: state.revision,
    chunks: state.chunks.map((c) => ({
      key: c.key,
      title: c.title,
      executionMode: c.executionMode,
      tasks: state.tasks.filter((t) => t.chunk === c.key).map(taskEntry),
    })),
  };
}

/** Writes both plan files for a turn over `chunk`; returns their paths. */
export async function writeTurnPlanFiles(
  worktree: string,
  state: PlanFilesState,
  chunk: SessionChunk,
): Promise<TurnFiles> {
  const files = turnFiles(worktree);
  await fs.mkdir(files.dir, { recursive: true });
  await fs.writeFile(files.planFile, JSON.stringify(chunkPlan(state, chunk), null, 2));
  // The previous turn's copy is read-only: replace it rather than write through it.
  await fs.rm(files.fullPlanFile, { force: true });
  await fs.writeFile(files.fullPlanFile, JSON.stringify(fullPlan(state), null, 2));
  await fs.chmod(files.fullPlanFile, 0o444).catch(() => undefined);
  return files;
}

/**
 * The tasks of the chunk that a chunk-scoped turn marked `completed` in plan.json. A missing or
 * unreadable file marks nothing, and ids outside the chunk are ignored: the agent cannot complete
 * tasks it was not given.
 */
export async function readMarkedDone(planFile: string, chunkTaskIds: string[]): Promise<string[]> {
  let after: { tasks?: Array<{ id: string; status: string }> };
  try {
    after = JSON.parse(await fs.readFile(planFile, 'utf8'));
  } catch {
    return [];
  }
  const tasks = Array.isArray(after?.tasks) ? after.tasks : [];
  return tasks.filter((t) => t?.status === 'completed' && chunkTaskIds.includes(t.id)).map((t) => t.id);
}
