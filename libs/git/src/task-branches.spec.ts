import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { git, gitOut } from './git';
import { integrateTaskCommit } from './integrate';
import { commitTask, ensureWorktree, findTaskCommit, pushIfRemote } from './repository';
import {
  prepareTaskWorktree,
  removeTaskBranch,
  removeTaskWorktrees,
  taskBranchName,
  taskWorktreePath,
  taskWorktreesDir,
} from './task-branches';
import { localBranches, makeTempRepo } from '../../../test/support/git-temp-repo';

describe('parallel task branches (real git)', () => {
  let repo: string;
  let sessionWt: string;
  const session = 'chunkwise/p1/s1';
  beforeEach(async () => {
    repo = await makeTempRepo();
    sessionWt = (await ensureWorktree({ repository: repo, path: `${repo}-wt/session`, branch: session }))
      .path;
  });
  afterEach(async () => {
    for (const dir of [repo, `${repo}-wt`, `${repo}-origin.git`])
      await fs.rm(dir, { recursive: true, force: true });
  });

  /** Runs one parallel task the way a session does: its own work tree, a commit, a cherry-pick. */
  async function runTask(taskId: string, file: string) {
    const task = await prepareTaskWorktree({ sessionWorktree: sessionWt, sessionBranch: session, taskId });
    await fs.writeFile(path.join(task.path, file), `${taskId}\n`);
    await commitTask(task.path, { sessionId: 's1', taskId, title: `task ${taskId}` });
    await pushIfRemote(task.path, task.branch);
    const merged = await integrateTaskCommit({
      sessionWorktree: sessionWt,
      taskWorktree: task.path,
      sessionId: 's1',
      taskId,
    });
    expect(merged.ok).toBe(true);
    return task;
  }

  it('names a task branch after the session branch and keeps task ids out of parent directories', () => {
    expect(taskBranchName(session, 'T3')).toBe('chunkwise/p1/s1--T3');
    expect(taskWorktreePath('/d/wt', '../T 1')).toBe('/d/wt.tasks/.._T_1');
  });

  it('creates the task work tree from the session branch, reusing it on a second call', async () => {
    await fs.writeFile(path.join(sessionWt, 'base.txt'), 'base\n');
    await commitTask(sessionWt, { sessionId: 's1', taskId: 'T0', title: 'base' });
    const first = await prepareTaskWorktree({
      sessionWorktree: sessionWt,
      sessionBranch: session,
      taskId: 'T1',
    });
    expect(first).toEqual({ path: taskWorktreePath(sessionWt, 'T1'), branch: `${session}--T1` });
    expect(await fs.readFile(path.join(first.path, 'base.txt'), 'utf8')).toBe('base\n');
    expect(
      await prepareTaskWorktree({ sessionWorktree: sessionWt, sessionBranch: session, taskId: 'T1' }),
    ).toEqual(first);
  });

  it('removes an integrated task branch and its work tree; the repository keeps only the session branch', async () => {
    const t1 = await runTask('T1', 'a.txt');
    const t2 = await runTask('T2', 'b.txt');
    expect(await localBranches(repo)).toEqual([
      'chunkwise/p1/s1',
      'chunkwise/p1/s1--T1',
      'chunkwise/p1/s1--T2',
      'main',
    ]);

    const removed = await removeTaskBranch({
      sessionWorktree: sessionWt,
      sessionBranch: session,
      taskId: 'T1',
    });
    expect(removed).toEqual({ branch: t1.branch, deleted: true, deletedRemote: false });
    await removeTaskBranch({
      sessionWorktree: sessionWt,
      sessionBranch: session,
      taskId: 'T2',
      taskWorktree: t2.path,
    });

    expect(await localBranches(repo)).toEqual(['chunkwise/p1/s1', 'main']);
    expect(existsSync(t1.path)).toBe(false);
    expect(existsSync(t2.path)).toBe(false);
    const worktrees = (await gitOut(repo, ['worktree', 'list', '--porcelain'])).split('\n');
    expect(worktrees.filter((l) => l.startsWith('worktree '))).toHaveLength(2);
    // The tasks' work is on the session branch, and nothing is left to commit.
    expect(await findTaskCommit(sessionWt, 's1', 'T1')).not.toBeNull();
    expect(await findTaskCommit(sessionWt, 's1', 'T2')).not.toBeNull();
    expect(await gitOut(sessionWt, ['status', '--porcelain'])).toBe('');
  });

  it('is idempotent: removing an already removed task branch succeeds and changes nothing', async () => {
    await runTask('T1', 'a.txt');
    await removeTaskBranch({ sessionWorktree: sessionWt, sessionBranch: session, taskId: 'T1' });
    const again = await removeTaskBranch({
      sessionWorktree: sessionWt,
      sessionBranch: session,
      taskId: 'T1',
    });
    expect(again).toEqual({ branch: `${session}--T1`, deleted: false, deletedRemote: false });
    expect(await localBranches(repo)).toEqual(['chunkwise/p1/s1', 'main']);
  });

  it('also deletes the pushed task branch from origin', async () => {
    const origin = `${repo}-origin.git`;
    await git(path.dirname(repo), ['init', '-q', '--bare', origin]);
    await git(repo, ['remote', 'add', 'origin', origin]);
    await pushIfRemote(sessionWt, session);
    await runTask('T1', 'a.txt');
    expect(await localBranches(origin)).toEqual(['chunkwise/p1/s1', 'chunkwise/p1/s1--T1']);
    const removed = await removeTaskBranch({
      sessionWorktree: sessionWt,
      sessionBranch: session,
      taskId: 'T1',
    });
    expect(removed.deletedRemote).toBe(true);
    expect(await localBranches(origin)).toEqual(['chunkwise/p1/s1']);
    // A second removal finds nothing on the remote either, and still succeeds.
    expect(
      (await removeTaskBranch({ sessionWorktree: sessionWt, sessionBranch: session, taskId: 'T1' })).deleted,
    ).toBe(false);
  });

  it('at the end of a session removes every task work tree and branch (integrated or not, locally and on origin); the session branch and work tree stay', async () => {
    const origin = `${repo}-origin.git`;
    await git(path.dirname(repo), ['init', '-q', '--bare', origin]);
    await git(repo, ['remote', 'add', 'origin', origin]);
    await pushIfRemote(sessionWt, session);
    await runTask('T1', 'a.txt'); // integrated, its branch not removed yet
    // T2 failed or conflicted: a work tree with uncommitted work and a pushed branch.
    const t2 = await prepareTaskWorktree({
      sessionWorktree: sessionWt,
      sessionBranch: session,
      taskId: 'T2',
    });
    await fs.writeFile(path.join(t2.path, 'half-done.txt'), 'x\n');
    await pushIfRemote(t2.path, t2.branch);
    // A stray directory git does not know (a crash during `worktree add`).
    await fs.mkdir(path.join(taskWorktreesDir(sessionWt), 'T3'), { recursive: true });
    // Another session's task branch is not touched.
    await git(repo, ['branch', 'chunkwise/p1/s2--T1', 'main']);

    const seen: string[] = [];
    const r = await removeTaskWorktrees({
      sessionWorktree: sessionWt,
      sessionBranch: session,
      beforeRemove: async (wt) => seen.push(wt),
    });
    expect(r.branches.sort()).toEqual([`${session}--T1`, `${session}--T2`]);
    expect(r.worktrees).toHaveLength(2);
    expect(seen).toEqual(r.worktrees);
    expect(await localBranches(repo)).toEqual(['chunkwise/p1/s1', 'chunkwise/p1/s2--T1', 'main']);
    expect(await localBranches(origin)).toEqual(['chunkwise/p1/s1']);
    expect(existsSync(taskWorktreesDir(sessionWt))).toBe(false);
    expect(existsSync(sessionWt)).toBe(true);
    const worktrees = (await gitOut(repo, ['worktree', 'list', '--porcelain'])).split('\n');
    expect(worktrees.filter((l) => l.startsWith('worktree '))).toHaveLength(2);
    // Idempotent: a second run finds nothing.
    expect(await removeTaskWorktrees({ sessionWorktree: sessionWt, sessionBranch: session })).toEqual({
      worktrees: [],
      branches: [],
    });
  });
});
