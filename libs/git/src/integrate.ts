import { filesOfCommit, findTaskCommit } from './repository';
import { git } from './git';

export class TaskCommitMissingError extends Error {
  constructor(readonly taskId: string) {
    super(`no commit for task ${taskId} in its work tree`);
    this.name = 'TaskCommitMissingError';
  }
}

export interface IntegrationResult {
  ok: boolean;
  sha: string | null;
  files: string[];
  /** Set when the cherry-pick conflicted: which files, and git's message. */
  conflict: string | null;
  /** False when the task's commit was already on the session branch (an earlier attempt). */
  created: boolean;
}

const tail = (s: string, n: number) => (s.length > n ? s.slice(s.length - n) : s);

/**
 * Cherry-picks a parallel task's commit (found by its trailers in the task's work tree) onto the
 * session branch checked out in `sessionWorktree`. Exactly once: a task commit already on the
 * session branch is returned as is. A conflict is aborted and reported, leaving the session work
 * tree clean; a task work tree without the task's commit throws {@link TaskCommitMissingError}.
 */
export async function integrateTaskCommit(input: {
  sessionWorktree: string;
  taskWorktree: string;
  sessionId: string;
  taskId: string;
}): Promise<IntegrationResult> {
  const cwd = input.sessionWorktree;
  const already = await findTaskCommit(cwd, input.sessionId, input.taskId);
  if (already)
    return {
      ok: true,
      sha: already,
      files: await filesOfCommit(cwd, already),
      conflict: null,
      created: false,
    };
  const sha = await findTaskCommit(input.taskWorktree, input.sessionId, input.taskId);
  if (!sha) throw new TaskCommitMissingError(input.taskId);
  const r = await git(cwd, ['cherry-pick', '--allow-empty', '--keep-redundant-commits', sha], {
    allowFail: true,
  });
  if (r.code !== 0) {
    const conflicting = (
      await git(cwd, ['diff', '--name-only', '--diff-filter=U'], { allowFail: true })
    ).stdout.trim();
    await git(cwd, ['cherry-pick', '--abort'], { allowFail: true });
    const which = conflicting ? `conflicting files: ${conflicting.split('\n').join(', ')}. ` : '';
    return {
      ok: false,
      sha: null,
      files: [],
      conflict: `${which}${tail(r.stderr || r.stdout, 2000)}`,
      created: false,
    };
  }
  const head = (await git(cwd, ['rev-parse', 'HEAD'])).stdout.trim();
  return { ok: true, sha: head, files: await filesOfCommit(cwd, head), conflict: null, created: true };
}

/** Abandons a cherry-pick a crash interrupted (and whatever it left in the work tree), so it can be redone. */
export async function abandonInterruptedCherryPick(worktree: string): Promise<void> {
  await git(worktree, ['cherry-pick', '--abort'], { allowFail: true });
  await git(worktree, ['reset', '--hard', 'HEAD'], { allowFail: true });
}

/** The sorted union of the files the given commits touched; unknown shas are ignored. */
export async function filesOfCommits(worktree: string, shas: string[]): Promise<string[]> {
  const all = new Set<string>();
  for (const sha of shas) for (const f of await filesOfCommit(worktree, sha).catch(() => [])) all.add(f);
  return [...all].sort();
}
