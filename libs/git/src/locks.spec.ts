import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { git, gitOut } from './git';
import { clearStaleGitLocks } from './locks';
import { commitTask, ensureWorktree } from './repository';
import { makeTempRepo } from '../../../test/support/git-temp-repo';

describe('stale git locks (real git)', () => {
  let repo: string;
  beforeEach(async () => {
    repo = await makeTempRepo();
  });
  afterEach(async () => {
    for (const dir of [repo, `${repo}-wt`]) await fs.rm(dir, { recursive: true, force: true });
  });

  it('removes the index, HEAD and branch locks a killed git left in a work tree, so commits work again', async () => {
    const wt = await ensureWorktree({ repository: repo, path: `${repo}-wt`, branch: 'chunkwise/p/s' });
    const gitDir = await gitOut(wt.path, ['rev-parse', '--absolute-git-dir']);
    const common = await gitOut(wt.path, ['rev-parse', '--path-format=absolute', '--git-common-dir']);
    const locks = [
      path.join(gitDir, 'index.lock'),
      path.join(gitDir, 'HEAD.lock'),
      path.join(common, 'refs/heads/chunkwise/p/s.lock'),
    ];
    for (const lock of locks) await fs.writeFile(lock, '');
    await fs.writeFile(path.join(wt.path, 'x.txt'), 'x');
    expect((await git(wt.path, ['add', 'x.txt'], { allowFail: true })).code).not.toBe(0);

    expect((await clearStaleGitLocks(wt.path)).sort()).toEqual([...locks].sort());
    const c = await commitTask(wt.path, { sessionId: 's', taskId: 'T1', title: 'x' });
    expect(c.files).toEqual(['x.txt']);
    expect(await clearStaleGitLocks(wt.path)).toEqual([]);
  });

  it('does nothing outside a git repository', async () => {
    const dir = `${repo}-wt`;
    await fs.mkdir(dir);
    expect(await clearStaleGitLocks(dir)).toEqual([]);
  });
});
