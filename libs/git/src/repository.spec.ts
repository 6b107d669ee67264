import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { git, gitOut } from './git';
import {
  changedFiles,
  commitTask,
  commitsSince,
  ensureWorktree,
  findTaskCommit,
  isGitRepository,
  resetWorktree,
} from './repository';

async function makeRepo(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cw-git-'));
  await git(dir, ['init', '-q', '-b', 'main']);
  await fs.writeFile(path.join(dir, 'README.md'), '# demo\n');
  await git(dir, ['add', '.']);
  await git(dir, ['commit', '-q', '-m', 'initial']);
  return dir;
}

describe('git work trees and task commits (real git)', () => {
  let repo: string;
  beforeEach(async () => {
    repo = await makeRepo();
  });
  afterEach(async () => {
    await fs.rm(repo, { recursive: true, force: true });
    await fs.rm(`${repo}-wt`, { recursive: true, force: true });
  });

  it('creates a session work tree on its own branch without touching the checkout, idempotently', async () => {
    const spec = { repository: repo, path: `${repo}-wt`, branch: 'chunkwise/p1/s1' };
    const first = await ensureWorktree(spec);
    expect(first.created).toBe(true);
    const again = await ensureWorktree(spec);
    expect(again.created).toBe(false);
    expect(await isGitRepository(first.path)).toBe(true);
    expect(await gitOut(repo, ['rev-parse', '--abbrev-ref', 'HEAD'])).toBe('main');
    await fs.writeFile(path.join(first.path, 'a.txt'), 'a');
    expect(await changedFiles(repo)).toEqual([]);
  });

  it('commits a task exactly once, with trailers, never committing .chunkwise/', async () => {
    const wt = await ensureWorktree({ repository: repo, path: `${repo}-wt`, branch: 'chunkwise/p1/s1' });
    await fs.mkdir(path.join(wt.path, '.chunkwise'));
    await fs.writeFile(path.join(wt.path, '.chunkwise', 'plan.json'), '{}');
    await fs.writeFile(path.join(wt.path, 'feature.ts'), 'export const x = 1;\n');
    const title = 'Add feature; rm -rf / $(echo pwned) `id`';
    const c1 = await commitTask(wt.path, { sessionId: 's1', taskId: 'T1', title });
    expect(c1.created).toBe(true);
    expect(c1.files).toEqual(['feature.ts']);
    const c2 = await commitTask(wt.path, { sessionId: 's1', taskId: 'T1', title });
    expect(c2).toEqual({ ...c1, created: false });
    expect(await findTaskCommit(wt.path, 's1', 'T1')).toBe(c1.sha);
    expect(await findTaskCommit(wt.path, 's2', 'T1')).toBeNull();
    const subject = await gitOut(wt.path, ['log', '-1', '--format=%s']);
    expect(subject).toBe(`T1: ${title}`);
    const commits = await commitsSince(wt.path, 'main');
    expect(commits.map((c) => c.sha)).toEqual([c1.sha]);
  });

  it('resets a dirty work tree but keeps .chunkwise/', async () => {
    const wt = await ensureWorktree({ repository: repo, path: `${repo}-wt`, branch: 'b' });
    await fs.mkdir(path.join(wt.path, '.chunkwise'));
    await fs.writeFile(path.join(wt.path, '.chunkwise', 'plan.json'), '{}');
    await fs.writeFile(path.join(wt.path, 'junk.txt'), 'x');
    await fs.writeFile(path.join(wt.path, 'README.md'), 'changed');
    await resetWorktree(wt.path);
    expect(await changedFiles(wt.path)).toEqual([]);
    expect(await fs.readFile(path.join(wt.path, 'README.md'), 'utf8')).toBe('# demo\n');
    expect(await fs.readFile(path.join(wt.path, '.chunkwise', 'plan.json'), 'utf8')).toBe('{}');
  });
});
