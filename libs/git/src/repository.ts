import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { git, gitOut } from './git';

/** Trailers that tie a commit to its task; they make commits idempotent across retries and crashes. */
export const TASK_TRAILER = 'Chunkwise-Task';
export const SESSION_TRAILER = 'Chunkwise-Session';

export async function isGitRepository(dir: string): Promise<boolean> {
  const r = await git(dir, ['rev-parse', '--is-inside-work-tree'], { allowFail: true }).catch(() => null);
  return !!r && r.code === 0 && r.stdout.trim() === 'true';
}

export async function headSha(cwd: string): Promise<string> {
  return gitOut(cwd, ['rev-parse', 'HEAD']);
}

export interface WorktreeSpec {
  /** The user's repository (its checkout is never touched). */
  repository: string;
  /** Directory of the session's work tree. */
  path: string;
  branch: string;
  /** Commit or ref the branch starts from when it does not exist yet (default HEAD). */
  base?: string;
  /** Check the branch out even when another (lost) host's work tree still has it registered. */
  force?: boolean;
}

/**
 * Creates (or reuses) a git worktree on the session's branch. Idempotent: a second call for the
 * same path and branch returns the existing work tree, so a retried activity is harmless. When
 * the branch already exists (for example on another host after a push), it is checked out as is.
 */
export async function ensureWorktree(
  spec: WorktreeSpec,
): Promise<{ path: string; branch: string; head: string; created: boolean }> {
  const target = path.resolve(spec.path);
  try {
    const current = await gitOut(target, ['rev-parse', '--abbrev-ref', 'HEAD']);
    if (current === spec.branch)
      return { path: target, branch: spec.branch, head: await headSha(target), created: false };
  } catch {
    // not a work tree yet
  }
  await fs.mkdir(path.dirname(target), { recursive: true });
  await git(spec.repository, ['worktree', 'prune']);
  const exists =
    (
      await git(spec.repository, ['rev-parse', '--verify', '--quiet', `refs/heads/${spec.branch}`], {
        allowFail: true,
      })
    ).code === 0;
  if (exists)
    await git(spec.repository, ['worktree', 'add', ...(spec.force ? ['--force'] : []), target, spec.branch]);
  else await git(spec.repository, ['worktree', 'add', '-b', spec.branch, target, spec.base ?? 'HEAD']);
  // Chunkwise's own files in the work tree are never committed.
  const exclude = await gitOut(target, ['rev-parse', '--git-path', 'info/exclude']);
  const excludePath = path.resolve(target, exclude);
  await fs.mkdir(path.dirname(excludePath), { recursive: true });
  const existing = await fs.readFile(excludePath, 'utf8').catch(() => '');
  if (!existing.split('\n').includes('/.chunkwise/'))
    await fs.appendFile(excludePath, `${existing.endsWith('\n') || !existing ? '' : '\n'}/.chunkwise/\n`);
  return { path: target, branch: spec.branch, head: await headSha(target), created: true };
}

export async function removeWorktree(repository: string, worktreePath: string): Promise<void> {
  await git(repository, ['worktree', 'remove', '--force', worktreePath], { allowFail: true });
  await git(repository, ['worktree', 'prune'], { allowFail: true });
}

/** Finds a commit on the current branch that carries the given task and session trailers. */
export async function findTaskCommit(
  cwd: string,
  sessionId: string,
  taskId: string,
  limit = 500,
): Promise<string | null> {
  const out = await gitOut(cwd, ['log', `-n${limit}`, '--format=%H%x00%B%x1e']);
  for (const record of out.split('\x1e')) {
    const [sha, body] = record.trim().split('\x00');
    if (!sha || !body) continue;
    const lines = body.split('\n');
    if (lines.includes(`${TASK_TRAILER}: ${taskId}`) && lines.includes(`${SESSION_TRAILER}: ${sessionId}`))
      return sha;
  }
  return null;
}

export interface CommitResult {
  sha: string;
  /** False when the commit already existed (a retried activity): the task is committed exactly once. */
  created: boolean;
  files: string[];
}

/**
 * Commits everything in the work tree as the task's commit. Exactly once: if a commit for this
 * session and task is already on the branch, it is returned instead of committing again.
 */
export async function commitTask(
  cwd: string,
  params: { sessionId: string; taskId: string; title: string },
): Promise<CommitResult> {
  const existing = await findTaskCommit(cwd, params.sessionId, params.taskId);
  if (existing) return { sha: existing, created: false, files: await filesOfCommit(cwd, existing) };
  await git(cwd, ['add', '-A']);
  const subject = `${params.taskId}: ${params.title}`.replace(/\s+/g, ' ').slice(0, 200);
  const message = `${subject}\n\n${TASK_TRAILER}: ${params.taskId}\n${SESSION_TRAILER}: ${params.sessionId}\n`;
  // The message goes through stdin (-F -), never through a shell.
  await git(cwd, ['commit', '--allow-empty', '--no-verify', '-F', '-'], { input: message });
  // The new commit's sha and files in one git run (a process start is the cost here).
  const [sha, ...files] = (await gitOut(cwd, ['show', '--name-only', '--format=%H', 'HEAD']))
    .split('\n')
    .filter(Boolean);
  return { sha, created: true, files };
}

export async function filesOfCommit(cwd: string, sha: string): Promise<string[]> {
  const out = await gitOut(cwd, ['show', '--name-only', '--format=', sha]);
  return out ? out.split('\n').filter(Boolean) : [];
}

/** Files changed (tracked or not) in the work tree since HEAD. */
export async function changedFiles(cwd: string): Promise<string[]> {
  const out = (await git(cwd, ['status', '--porcelain', '-z'])).stdout;
  return out
    .split('\0')
    .filter(Boolean)
    .map((l) => l.slice(3));
}

/** Discards uncommitted changes (used before retrying a turn from a clean tree). */
export async function resetWorktree(cwd: string): Promise<void> {
  await git(cwd, ['reset', '--hard', 'HEAD']);
  await git(cwd, ['clean', '-fd', '-e', '.chunkwise/']);
}

/** Commit shas on `branch` since `base`, oldest first. */
export async function commitsSince(
  cwd: string,
  base: string,
  branch = 'HEAD',
): Promise<Array<{ sha: string; subject: string }>> {
  const out = await gitOut(cwd, ['log', '--reverse', '--format=%H %s', `${base}..${branch}`]);
  return out ? out.split('\n').map((l) => ({ sha: l.slice(0, 40), subject: l.slice(41) })) : [];
}

/** Whether the repository has an `origin` remote. */
export async function hasOrigin(cwd: string): Promise<boolean> {
  return (await gitOut(cwd, ['remote'])).split('\n').includes('origin');
}

/**
 * Pushes the branch to `origin` when the repository has one; returns whether it pushed. `origin`:
 * the answer of a `hasOrigin` started earlier (so that the check runs alongside other git work).
 */
export async function pushIfRemote(
  cwd: string,
  branch: string,
  origin: Promise<boolean> = hasOrigin(cwd),
): Promise<boolean> {
  if (!(await origin)) return false;
  await git(cwd, ['push', '--force-with-lease', 'origin', `${branch}:${branch}`]);
  return true;
}
