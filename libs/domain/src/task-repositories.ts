import type { SessionCore, SessionTask } from './session';
import type { TurnScope } from './execution-settings';

/**
 * Multi-repository plans: a task may work in another repository than its plan's (`task.repository`:
 * `repo:<id>` of a registered repository, or a path). A session keeps one work tree and one branch
 * (the same name) per repository; the plan's own repository is the primary one, named by null here.
 */

/** The repository a task works in: its own, or null for the plan's. */
export const taskRepository = (task: Pick<SessionTask, 'repository'>): string | null =>
  task.repository ?? null;

/** The other repositories a session's tasks in scope work in, in order of first appearance. */
export function sessionRepositories(state: Pick<SessionCore, 'tasks'>): string[] {
  const out: string[] = [];
  for (const t of state.tasks) {
    const r = taskRepository(t);
    if (r !== null && !t.outOfScope && !out.includes(r)) out.push(r);
  }
  return out;
}

/**
 * A name for a repository's work tree beside the session's primary one: readable, safe as a path
 * segment, and distinct for distinct references (a short FNV-1a hash of the whole reference).
 */
export function repositoryWorktreeKey(repository: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < repository.length; i++) {
    h ^= repository.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const tail =
    repository
      .split(/[\\/:]/)
      .filter(Boolean)
      .pop() ?? 'repo';
  const readable = tail.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 40) || 'repo';
  return `${readable}-${h.toString(16).padStart(8, '0')}`;
}

/**
 * A chunk run as one turn has one work tree: its tasks must share a repository. Checked when a
 * session starts, so the user hears it before anything runs. The problem, or null.
 */
export function turnScopeRepositoryProblem(
  state: Pick<SessionCore, 'tasks'>,
  turnScope: TurnScope,
): string | null {
  if (turnScope !== 'chunk') return null;
  const byChunk = new Map<string, Set<string | null>>();
  for (const t of state.tasks) {
    if (t.outOfScope) continue;
    const set = byChunk.get(t.chunk) ?? new Set();
    set.add(taskRepository(t));
    byChunk.set(t.chunk, set);
  }
  for (const [chunk, repos] of byChunk) {
    if (repos.size > 1)
      return `chunk ${chunk} has tasks in ${repos.size} repositories; turnScope "chunk" runs a chunk in one work tree: use turnScope "task" or split the chunk by repository`;
  }
  return null;
}

/** One repository's part of a session's progress. */
export interface RepositoryProgress {
  /** null: the plan's own repository. */
  repository: string | null;
  tasks: number;
  completed: number;
  pending: number;
  failed: number;
  /** The commits of this repository's tasks, in the session's commit order. */
  commits: string[];
}

/** Progress per repository: the plan's first, then the others in order of first appearance. */
export function repositoryProgress(state: Pick<SessionCore, 'tasks' | 'commits'>): RepositoryProgress[] {
  const repos: Array<string | null> = [null, ...sessionRepositories(state)];
  return repos.map((repository) => {
    const ts = state.tasks.filter((t) => !t.outOfScope && taskRepository(t) === repository);
    const shas = new Set(ts.map((t) => t.commitSha).filter((x): x is string => !!x));
    return {
      repository,
      tasks: ts.length,
      completed: ts.filter((t) => t.status === 'completed').length,
      pending: ts.filter((t) => t.status === 'pending' || t.status === 'running').length,
      failed: ts.filter((t) => t.status === 'failed').length,
      commits: state.commits.filter((sha) => shas.has(sha)),
    };
  });
}
