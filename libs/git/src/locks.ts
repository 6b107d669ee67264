import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { git } from './git';

/**
 * Removes the lock files a killed git process leaves behind (the work tree's index.lock and
 * HEAD.lock, and the lock of its current branch in the common git directory); otherwise every
 * later git command in that work tree fails. Only safe when nothing else writes this work tree:
 * callers use it when retrying an activity whose earlier attempt (the only writer) is gone.
 * Returns the locks it removed.
 */
export async function clearStaleGitLocks(worktree: string): Promise<string[]> {
  const out = async (args: string[]) => {
    const r = await git(worktree, args, { allowFail: true }).catch(() => null);
    return r && r.code === 0 ? r.stdout.trim() : '';
  };
  const dir = await out(['rev-parse', '--absolute-git-dir']);
  if (!dir) return [];
  const common = await out(['rev-parse', '--path-format=absolute', '--git-common-dir']);
  const branchRef = await out(['symbolic-ref', '-q', 'HEAD']);
  const locks = [path.join(dir, 'index.lock'), path.join(dir, 'HEAD.lock')];
  if (common && branchRef) locks.push(path.join(common, `${branchRef}.lock`));
  const removed: string[] = [];
  for (const lock of locks) {
    const existed = await fs
      .rm(lock)
      .then(() => true)
      .catch(() => false);
    if (existed) removed.push(lock);
  }
  return removed;
}
