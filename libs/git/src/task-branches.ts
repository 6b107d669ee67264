/**
 * Parallel tasks run on their own branch (`<session branch>--<task>`) in their own work tree next
 * to the session's. Once a task's commit is on the session branch, both are removed; whatever is
 * left when the session ends (a failed or conflicting task's) is removed then, so the user's
 * repository ends a session with the session branch only.
 */
import { rm } from 'node:fs/promises';
import { ensureWorktree, removeWorktree } from './repository';
import { git } from './git';

export const taskBranchName = (sessionBranch: string, taskId: string) => `${sessionBranch}--${taskId}`;

/** Beside the session's work tree; the task id is made safe for a directory name. */
export const taskWorktreePath = (sessionWorktree: string, taskId: string) =>
  `${sessionWorktree}.tasks/${taskId.replace(/[^A-Za-z0-9._-]/g, '_')}`;

/** Creates (or reuses) the task's work tree on its branch, started from the session branch. Idempotent. */
export async function prepareTaskWorktree(input: {
  sessionWorktree: string;
  sessionBranch: string;
  taskId: string;
}): Promise<{ path: string; branch: string }> {
  const branch = taskBranchName(input.sessionBranch, input.taskId);
  const wt = await ensureWorktree({
    repository: input.sessionWorktree,
    path: taskWorktreePath(input.sessionWorktree, input.taskId),
    branch,
    base: input.sessionBranch,
  });
  return { path: wt.path, branch };
}

export async function branchExists(cwd: string, branch: string): Promise<boolean> {
  const r = await git(cwd, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], { allowFail: true });
  return r.code === 0;
}

/** Deletes a local branch if it exists; a branch already gone is success (a retried activity). */
export async function deleteBranch(cwd: string, branch: string): Promise<boolean> {
  if (!(await branchExists(cwd, branch))) return false;
  // -D: the task's commit reaches the session branch by cherry-pick, so git does not see it as merged.
  await git(cwd, ['branch', '-D', branch]);
  return true;
}

/**
 * Deletes the branch from `origin` when the repository has one. Best effort: the branch may never
 * have been pushed, or already be deleted, and an unreachable remote must not fail the session.
 */
export async function deleteRemoteBranch(cwd: string, branch: string): Promise<boolean> {
  const remotes = await git(cwd, ['remote'], { allowFail: true });
  if (!remotes.stdout.split('\n').includes('origin')) return false;
  const r = await git(cwd, ['push', 'origin', '--delete', branch], { allowFail: true });
  return r.code === 0;
}

/**
 * Removes an integrated task's work tree and its branch, locally and on `origin`. Idempotent:
 * anything already gone is skipped. Run it only once the task's commit is on the session branch.
 */
export async function removeTaskBranch(input: {
  sessionWorktree: string;
  sessionBranch: string;
  taskId: string;
  /** The task's work tree; defaults to {@link taskWorktreePath}. */
  taskWorktree?: string;
}): Promise<{ branch: string; deleted: boolean; deletedRemote: boolean }> {
  const branch = taskBranchName(input.sessionBranch, input.taskId);
  // A branch checked out in a work tree cannot be deleted: the work tree goes first.
  await removeWorktree(
    input.sessionWorktree,
    input.taskWorktree ?? taskWorktreePath(input.sessionWorktree, input.taskId),
  );
  const deleted = await deleteBranch(input.sessionWorktree, branch);
  const deletedRemote = await deleteRemoteBranch(input.sessionWorktree, branch);
  return { branch, deleted, deletedRemote };
}

/** The directory that holds a session's task work trees (`<session work tree>.tasks`). */
export const taskWorktreesDir = (sessionWorktree: string) => `${sessionWorktree}.tasks`;

/** Local branches `<session branch>--*`: the task branches of one session. */
export async function listTaskBranches(cwd: string, sessionBranch: string): Promise<string[]> {
  const r = await git(cwd, ['for-each-ref', '--format=%(refname:short)', `refs/heads/${sessionBranch}--*`], {
    allowFail: true,
  });
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((b) => b.startsWith(`${sessionBranch}--`));
}

/** The registered work trees of the repository that lie under the session's task directory. */
export async function listTaskWorktrees(sessionWorktree: string): Promise<string[]> {
  const r = await git(sessionWorktree, ['worktree', 'list', '--porcelain'], { allowFail: true });
  const dir = `${taskWorktreesDir(sessionWorktree)}/`;
  return r.stdout
    .split('\n')
    .filter((l) => l.startsWith('worktree '))
    .map((l) => l.slice('worktree '.length))
    .filter((p) => p.startsWith(dir));
}

/**
 * At the end of a session: removes every task work tree of the session (integrated or not, e.g. a
 * task that failed or conflicted), their branches (locally and on `origin`) and the task directory.
 * The session's own branch and work tree stay: the branch holds the commits, and a stopped session
 * resumes from it. Idempotent; `beforeRemove` runs on each task work tree first (stop its agents).
 */
export async function removeTaskWorktrees(input: {
  sessionWorktree: string;
  sessionBranch: string;
  beforeRemove?: (taskWorktree: string) => Promise<unknown>;
}): Promise<{ worktrees: string[]; branches: string[] }> {
  const { sessionWorktree, sessionBranch } = input;
  const worktrees = await listTaskWorktrees(sessionWorktree);
  for (const wt of worktrees) {
    await input.beforeRemove?.(wt);
    await removeWorktree(sessionWorktree, wt);
  }
  // Directories git no longer knows (a crash between `worktree add` and its registration) go too.
  await rm(taskWorktreesDir(sessionWorktree), { recursive: true, force: true });
  await git(sessionWorktree, ['worktree', 'prune'], { allowFail: true });
  const branches = await listTaskBranches(sessionWorktree, sessionBranch);
  for (const b of branches) {
    await deleteBranch(sessionWorktree, b);
    await deleteRemoteBranch(sessionWorktree, b);
  }
  return { worktrees, branches };
}
