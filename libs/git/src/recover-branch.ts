import { git, gitOut } from './git';
import { hasOrigin } from './repository';

/** The repository has no `origin`: nothing outside the lost host holds the session branch. */
export class NoRemoteError extends Error {
  constructor(repository: string) {
    super(`repository ${repository} has no remote (origin) to rebuild the session branch from`);
    this.name = 'NoRemoteError';
  }
}

/**
 * Makes the session branch in `repository` what the remote holds, before its work tree is rebuilt on
 * a new host: the remote is the only copy a lost host cannot take with it. A commit the lost host
 * made but never pushed is dropped here; its task runs again (it was never recorded complete). When
 * nothing was pushed yet, the branch stays as it is. Returns the branch's commit, or null when the
 * branch exists nowhere yet.
 */
export async function resetBranchToRemote(repository: string, branch: string): Promise<string | null> {
  if (!(await hasOrigin(repository))) throw new NoRemoteError(repository);
  const remoteRef = `refs/remotes/origin/${branch}`;
  const fetched = await git(
    repository,
    ['fetch', '--quiet', 'origin', `+refs/heads/${branch}:${remoteRef}`],
    {
      allowFail: true,
    },
  );
  // Work trees whose directory went with the lost host are forgotten, so the branch may be checked out again.
  await git(repository, ['worktree', 'prune']);
  if (fetched.code === 0) {
    // update-ref, not `branch -f`: a stale registration of the lost host's work tree must not block it.
    await git(repository, ['update-ref', `refs/heads/${branch}`, remoteRef]);
    return gitOut(repository, ['rev-parse', remoteRef]);
  }
  const local = await git(repository, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], {
    allowFail: true,
  });
  return local.code === 0 ? local.stdout.trim() : null;
}

/** Discards what a lost turn left in a reused work tree: files and index back to the branch's commit. */
export async function cleanWorktree(worktree: string): Promise<void> {
  await git(worktree, ['reset', '--hard', '--quiet', 'HEAD']);
  // Ignored files (the work tree's .chunkwise/ among them) stay.
  await git(worktree, ['clean', '-fd', '--quiet']);
}
