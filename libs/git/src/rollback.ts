import { git, gitOut } from './git';
import { clearStaleGitLocks } from './locks';
import { changedFiles, ensureWorktree, hasOrigin, headSha } from './repository';

/** Trailers of a revert commit made by a rollback: which rollback, and which commit it reverts. */
export const ROLLBACK_TRAILER = 'Chunkwise-Rollback';
export const REVERTS_TRAILER = 'Chunkwise-Reverts';

export interface RollbackBranchInput {
  /** A work tree with `branch` checked out (the session's). */
  worktree: string;
  branch: string;
  /** Ties the revert commits to the rollback, so that a retried run finds what it did before. */
  rollbackId: string;
  /** The branch's commit when the session began; null: the parent of the oldest commit to undo. */
  start: string | null;
  /** The commits to undo, in any order. */
  commits: string[];
  /**
   * Only find out whether the rollback applies: the reverts are tried without committing and the
   * work tree goes back to its head; nothing is reset or pushed. A rollback over several repositories
   * checks every one first, so that a conflict in one changes none.
   */
  dryRun?: boolean;
}

export type RollbackBranchResult =
  | {
      ok: true;
      method: 'reset' | 'revert';
      /** The commits undone, newest first. */
      reverted: string[];
      /** Revert commits made, oldest first (empty for a reset). */
      revertCommits: string[];
      previousHead: string;
      newHead: string;
      pushed: boolean;
    }
  | {
      ok: false;
      reason: 'conflict' | 'dirty' | 'not_on_branch';
      message: string;
      /** The commit whose revert does not apply, and the files in conflict. */
      conflict: { commit: string; files: string[] } | null;
      /** The branch's commit, unchanged. */
      head: string;
    };

/**
 * Undoes commits on a branch, or changes nothing. When the branch holds exactly those commits since
 * its start, it is reset to the start (a pushed branch only when the remote equals the local one,
 * then pushed with a lease on that commit); otherwise each commit is reverted, newest first, one
 * revert commit each (trailers name the rollback and the reverted commit). A revert that conflicts
 * is abandoned and the branch goes back to where it was: the answer names the commit and the files.
 * Idempotent: a run retried after a crash continues from the revert commits it finds.
 */
export async function rollbackBranch(input: RollbackBranchInput): Promise<RollbackBranchResult> {
  const cwd = input.worktree;
  const head = await headSha(cwd);
  const done = await rollbackCommitsOnTop(cwd, input.rollbackId);
  const previousHead = done.length ? await gitOut(cwd, ['rev-parse', `${done.at(-1)!.sha}^`]) : head;
  const fail = (reason: 'dirty' | 'not_on_branch', message: string): RollbackBranchResult => ({
    ok: false,
    reason,
    message,
    conflict: null,
    head,
  });
  const dirty = await changedFiles(cwd);
  if (dirty.length)
    return fail('dirty', `the work tree of ${input.branch} has uncommitted changes: ${dirty.join(', ')}`);

  const wanted = [...new Set(input.commits.map((c) => c.trim()))];
  const history = await gitOut(cwd, ['rev-list', '--topo-order', previousHead]);
  const position = new Map(history.split('\n').map((sha, i) => [sha, i]));
  const missing = wanted.filter((c) => !position.has(c));
  const remote = await remoteBranch(cwd, input.branch);

  // A reset that a crash interrupted before its answer: the branch is at the start, the commits gone.
  if (!done.length && input.start && head === input.start && missing.length === wanted.length) {
    const pushed =
      remote.sha !== null && wanted.includes(remote.sha)
        ? await forcePush(cwd, input.branch, head, remote.sha)
        : false;
    return {
      ok: true,
      method: 'reset',
      reverted: wanted,
      revertCommits: [],
      previousHead: head,
      newHead: head,
      pushed,
    };
  }
  if (missing.length)
    return fail(
      'not_on_branch',
      `commits ${missing.map((c) => c.slice(0, 12)).join(', ')} are not on ${input.branch}`,
    );
  const ordered = [...wanted].sort((a, b) => position.get(a)! - position.get(b)!); // newest first

  if (!done.length) {
    const start = input.start ?? (await parentOf(cwd, ordered.at(-1)!));
    if (start && (await onlyTheseSince(cwd, start, head, wanted))) {
      const mayReset = remote.known && (remote.sha === null || remote.sha === head);
      if (mayReset) {
        // A dry run stops here: a reset cannot conflict.
        if (!input.dryRun) await git(cwd, ['reset', '--hard', '--quiet', start]);
        const pushed =
          !input.dryRun && remote.sha !== null ? await forcePush(cwd, input.branch, start, head) : false;
        return {
          ok: true,
          method: 'reset',
          reverted: ordered,
          revertCommits: [],
          previousHead: head,
          newHead: start,
          pushed,
        };
      }
    }
  }

  const already = new Set(done.map((d) => d.reverts));
  const revertCommits = done.map((d) => d.sha).reverse();
  for (const sha of ordered) {
    if (already.has(sha)) continue;
    const r = await git(cwd, ['revert', '--no-commit', sha], { allowFail: true });
    if (r.code !== 0) {
      const files = (await gitOut(cwd, ['diff', '--name-only', '--diff-filter=U']))
        .split('\n')
        .filter(Boolean);
      await git(cwd, ['revert', '--abort'], { allowFail: true });
      await git(cwd, ['reset', '--hard', '--quiet', input.dryRun ? head : previousHead]);
      return {
        ok: false,
        reason: 'conflict',
        message: files.length
          ? `reverting ${sha.slice(0, 12)} conflicts with later changes on ${input.branch} in ${files.join(', ')}`
          : `reverting ${sha.slice(0, 12)} on ${input.branch} failed: ${r.stderr.trim().slice(0, 500)}`,
        conflict: { commit: sha, files },
        head: input.dryRun ? head : previousHead,
      };
    }
    if (input.dryRun) continue;
    const subject = await gitOut(cwd, ['log', '-1', '--format=%s', sha]);
    const message = `Revert "${subject}"\n\nThis reverts commit ${sha}.\n\n${ROLLBACK_TRAILER}: ${input.rollbackId}\n${REVERTS_TRAILER}: ${sha}\n`;
    await git(cwd, ['commit', '--allow-empty', '--no-verify', '-F', '-'], { input: message });
    revertCommits.push(await headSha(cwd));
  }
  if (input.dryRun) {
    // The reverts applied (uncommitted, one on top of the other): back to where the branch was.
    await git(cwd, ['reset', '--hard', '--quiet', head]);
    return {
      ok: true,
      method: 'revert',
      reverted: ordered,
      revertCommits: [],
      previousHead,
      newHead: head,
      pushed: false,
    };
  }
  const newHead = await headSha(cwd);
  // The revert commits only add to the branch: an ordinary push (a remote that moved on refuses it).
  const pushed =
    remote.sha !== null &&
    (
      await git(cwd, ['push', '--quiet', 'origin', `${input.branch}:refs/heads/${input.branch}`], {
        allowFail: true,
      })
    ).code === 0;
  return { ok: true, method: 'revert', reverted: ordered, revertCommits, previousHead, newHead, pushed };
}

/** Abandons a revert a crash interrupted (its half-applied changes go): before a retried rollback. */
export async function abandonInterruptedRevert(worktree: string): Promise<void> {
  await git(worktree, ['revert', '--abort'], { allowFail: true });
  await git(worktree, ['reset', '--hard', '--quiet', 'HEAD']);
}

/** The revert commits of a rollback at the top of the branch, newest first. */
async function rollbackCommitsOnTop(
  cwd: string,
  rollbackId: string,
): Promise<Array<{ sha: string; reverts: string }>> {
  const out = (await git(cwd, ['log', '-n200', '--first-parent', '--format=%H%x00%B%x1e'])).stdout;
  const found: Array<{ sha: string; reverts: string }> = [];
  for (const record of out.split('\x1e')) {
    const [sha, body] = record.trim().split('\x00');
    if (!sha || body === undefined) continue;
    const lines = body.split('\n');
    const reverts = lines.find((l) => l.startsWith(`${REVERTS_TRAILER}: `));
    if (!lines.includes(`${ROLLBACK_TRAILER}: ${rollbackId}`) || !reverts) break;
    found.push({ sha, reverts: reverts.slice(REVERTS_TRAILER.length + 2).trim() });
  }
  return found;
}

async function parentOf(cwd: string, sha: string): Promise<string | null> {
  const r = await git(cwd, ['rev-parse', '--verify', '--quiet', `${sha}^`], { allowFail: true });
  return r.code === 0 ? r.stdout.trim() : null;
}

/** Whether the commits after `start` up to `head` are exactly `commits` (start an ancestor of head). */
async function onlyTheseSince(cwd: string, start: string, head: string, commits: string[]): Promise<boolean> {
  const ancestor = await git(cwd, ['merge-base', '--is-ancestor', start, head], { allowFail: true });
  if (ancestor.code !== 0) return false;
  const since = (await gitOut(cwd, ['rev-list', `${start}..${head}`])).split('\n').filter(Boolean);
  return since.length === commits.length && since.every((c) => commits.includes(c));
}

/**
 * The branch on `origin`: `sha` null when there is no remote or the branch was never pushed;
 * `known` false when the remote could not be asked (then nothing is forced).
 */
async function remoteBranch(cwd: string, branch: string): Promise<{ known: boolean; sha: string | null }> {
  if (!(await hasOrigin(cwd))) return { known: true, sha: null };
  const r = await git(cwd, ['ls-remote', 'origin', `refs/heads/${branch}`], { allowFail: true });
  if (r.code !== 0) return { known: false, sha: null };
  const sha = r.stdout.trim().split(/\s+/)[0];
  return { known: true, sha: sha || null };
}

/** Moves the remote branch to `to`, only while it still is `expected`. */
async function forcePush(cwd: string, branch: string, to: string, expected: string): Promise<boolean> {
  const r = await git(
    cwd,
    [
      'push',
      '--quiet',
      `--force-with-lease=refs/heads/${branch}:${expected}`,
      'origin',
      `${to}:refs/heads/${branch}`,
    ],
    { allowFail: true },
  );
  return r.code === 0;
}

/** The session's branch is not in the repository (deleted by hand): nothing to roll back there. */
export class BranchMissingError extends Error {
  constructor(repository: string, branch: string) {
    super(`branch ${branch} does not exist in ${repository}`);
    this.name = 'BranchMissingError';
  }
}

/**
 * Rolls back in the session's work tree for the branch (made again from the branch when this host
 * has none), never creating the branch itself. `retry`: an earlier attempt may have died half way
 * (its git locks and an interrupted revert are cleared first).
 */
export async function rollbackSessionBranch(
  input: Omit<RollbackBranchInput, 'worktree'> & {
    repository: string;
    worktreePath: string;
    retry?: boolean;
  },
): Promise<RollbackBranchResult> {
  const { repository, worktreePath, retry, ...rest } = input;
  const exists = await git(repository, ['rev-parse', '--verify', '--quiet', `refs/heads/${input.branch}`], {
    allowFail: true,
  });
  if (exists.code !== 0) throw new BranchMissingError(repository, input.branch);
  const wt = await ensureWorktree({ repository, path: worktreePath, branch: input.branch });
  if (retry) {
    await clearStaleGitLocks(wt.path);
    await abandonInterruptedRevert(wt.path);
  }
  return rollbackBranch({ ...rest, worktree: wt.path });
}
