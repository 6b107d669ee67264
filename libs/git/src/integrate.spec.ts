import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { git, gitOut } from './git';
import {
  abandonInterruptedCherryPick,
  filesOfCommits,
  integrateTaskCommit,
  TaskCommitMissingError,
} from './integrate';
import { commitTask, ensureWorktree } from './repository';
import { prepareTaskWorktree } from './task-branches';
import { makeTempRepo } from '../../../test/support/git-temp-repo';

describe('integrating parallel task commits (real git)', () => {
  let repo: string;
  let sessionWt: string;
  const session = 'chunkwise/p1/s1';
  beforeEach(async () => {
    repo = await makeTempRepo();
    sessionWt = (await ensureWorktree({ repository: repo, path: `${repo}-wt/session`, branch: session }))
      .path;
  });
  afterEach(async () => {
    for (const dir of [repo, `${repo}-wt`]) await fs.rm(dir, { recursive: true, force: true });
  });

  async function taskWithCommit(taskId: string, file: string, content: string) {
    const task = await prepareTaskWorktree({ sessionWorktree: sessionWt, sessionBranch: session, taskId });
    await fs.writeFile(path.join(task.path, file), content);
    const c = await commitTask(task.path, { sessionId: 's1', taskId, title: taskId });
    return { ...task, sha: c.sha };
  }
  const integrate = (taskId: string, taskWorktree: string) =>
    integrateTaskCommit({ sessionWorktree: sessionWt, taskWorktree, sessionId: 's1', taskId });

  it('cherry-picks the task commit exactly once', async () => {
    const t = await taskWithCommit('T1', 'a.txt', 'a\n');
    const first = await integrate('T1', t.path);
    expect(first).toEqual({
      ok: true,
      sha: expect.any(String),
      files: ['a.txt'],
      conflict: null,
      created: true,
    });
    expect(await fs.readFile(path.join(sessionWt, 'a.txt'), 'utf8')).toBe('a\n');
    expect(await gitOut(sessionWt, ['rev-parse', 'HEAD'])).toBe(first.sha);
    const again = await integrate('T1', t.path);
    expect(again).toEqual({ ...first, created: false });
    expect(await gitOut(sessionWt, ['rev-list', '--count', 'main..HEAD'])).toBe('1');
  });

  it('reports a conflict with the conflicting files and leaves the session work tree clean', async () => {
    const t1 = await taskWithCommit('T1', 'same.txt', 'from T1\n');
    const t2 = await taskWithCommit('T2', 'same.txt', 'from T2\n');
    expect((await integrate('T1', t1.path)).ok).toBe(true);
    const head = await gitOut(sessionWt, ['rev-parse', 'HEAD']);
    const r = await integrate('T2', t2.path);
    expect(r.ok).toBe(false);
    expect(r.sha).toBeNull();
    expect(r.conflict).toMatch(/^conflicting files: same\.txt\. /);
    expect(await gitOut(sessionWt, ['rev-parse', 'HEAD'])).toBe(head);
    expect(await gitOut(sessionWt, ['status', '--porcelain'])).toBe('');
  });

  it('throws TaskCommitMissingError when the task work tree has no commit for the task', async () => {
    const t = await prepareTaskWorktree({ sessionWorktree: sessionWt, sessionBranch: session, taskId: 'T9' });
    await expect(integrate('T9', t.path)).rejects.toBeInstanceOf(TaskCommitMissingError);
  });

  it('abandons a cherry-pick a crash left half done, so integration can be redone', async () => {
    const t1 = await taskWithCommit('T1', 'same.txt', 'from T1\n');
    const t2 = await taskWithCommit('T2', 'same.txt', 'from T2\n');
    await integrate('T1', t1.path);
    // Leave a conflicted cherry-pick in progress, as a killed worker would.
    expect((await git(sessionWt, ['cherry-pick', t2.sha], { allowFail: true })).code).not.toBe(0);
    expect(await gitOut(sessionWt, ['status', '--porcelain'])).not.toBe('');
    await abandonInterruptedCherryPick(sessionWt);
    expect(await gitOut(sessionWt, ['status', '--porcelain'])).toBe('');
    const gitDir = await gitOut(sessionWt, ['rev-parse', '--absolute-git-dir']);
    await expect(fs.access(path.join(gitDir, 'CHERRY_PICK_HEAD'))).rejects.toThrow();
  });

  it('lists the files of several commits once each, sorted, ignoring unknown shas', async () => {
    const t1 = await taskWithCommit('T1', 'b.txt', 'b\n');
    const t2 = await taskWithCommit('T2', 'a.txt', 'a\n');
    const m1 = await integrate('T1', t1.path);
    const m2 = await integrate('T2', t2.path);
    expect(await filesOfCommits(sessionWt, [m1.sha!, m2.sha!, m1.sha!, '0'.repeat(40)])).toEqual([
      'a.txt',
      'b.txt',
    ]);
  });
});
