/** GET /plans/:id/chunks/:key/diff: the handler on a real temp git repository. */
import 'reflect-metadata';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { NotFoundException } from '@nestjs/common';
import { git, gitOut } from '@chunkwise/git';
import { makeTempRepo } from '../../../../test/support/git-temp-repo';
import { GetChunkDiffHandler } from './session.handlers';
import { GetChunkDiffQuery } from './session.commands';

const chunk = (key: string) => ({
  key,
  title: key,
  executionMode: 'sequential' as const,
  pauseAfter: true,
  status: 'completed',
  total: 2,
  completed: 2,
  skipped: 0,
  failed: 0,
  running: 0,
});
const task = (id: string, chunkKey: string, commitSha: string | null) => ({
  id,
  chunk: chunkKey,
  title: id,
  status: 'completed' as const,
  attempts: 1,
  lastError: null,
  commitSha,
});

describe('GetChunkDiffHandler', () => {
  let repo: string;
  afterEach(async () => {
    if (repo) await fs.rm(repo, { recursive: true, force: true });
  });

  const handlerFor = (repository: string | null, tasks: ReturnType<typeof task>[]) => {
    const live = {
      planId: 'p1',
      sessionId: 's_1',
      revision: 3,
      status: 'paused',
      pauseReason: 'chunk_completed',
      pauseDetail: null,
      currentChunk: null,
      nextChunk: 'C2',
      chunks: [chunk('C1'), chunk('C2')],
      tasks,
      totals: { tasks: 3, completed: 2, skipped: 0, failed: 0, running: 0, pending: 1 },
      commits: [],
      elapsedMs: 10,
      branch: 'chunkwise/p1/s_1',
    };
    const sessions = {
      planProgress: async () => ({ plan: { status: 'paused', content: { repository } }, live }),
    };
    const resolved: string[] = [];
    const repositories = {
      resolvePath: async (ref: string) => {
        resolved.push(ref);
        return ref.startsWith('repo:') ? repo : ref;
      },
    };
    return {
      handler: new GetChunkDiffHandler(sessions as never, repositories as never, {} as never),
      resolved,
    };
  };

  it("answers the commits of the chunk's tasks, the files they changed and their diff, read from the registered repository", async () => {
    repo = await makeTempRepo('cw-chunk-diff-');
    await fs.writeFile(path.join(repo, 'a.txt'), 'a\n');
    await git(repo, ['add', '.']);
    await git(repo, ['commit', '-q', '-m', 'T1: a']);
    const t1 = await gitOut(repo, ['rev-parse', 'HEAD']);
    await fs.writeFile(path.join(repo, 'b.txt'), 'b\n');
    await git(repo, ['add', '.']);
    await git(repo, ['commit', '-q', '-m', 'T2: b']);
    const t2 = await gitOut(repo, ['rev-parse', 'HEAD']);
    await fs.writeFile(path.join(repo, 'c.txt'), 'c\n');
    await git(repo, ['add', '.']);
    await git(repo, ['commit', '-q', '-m', 'T3: c (another chunk)']);
    const t3 = await gitOut(repo, ['rev-parse', 'HEAD']);

    const { handler, resolved } = handlerFor('repo:r_0123456789ab', [
      task('T1', 'C1', t1),
      task('T2', 'C1', t2),
      task('T3', 'C2', t3),
    ]);
    const r = await handler.execute(new GetChunkDiffQuery('p1', 'C1'));
    expect(resolved).toEqual(['repo:r_0123456789ab']);
    expect(r.repository).toBe(repo);
    expect(r.commits.map((c) => [c.sha, c.subject, c.taskId])).toEqual([
      [t1, 'T1: a', 'T1'],
      [t2, 'T2: b', 'T2'],
    ]);
    expect(r.files.map((f) => [f.path, f.status, f.additions, f.deletions])).toEqual([
      ['a.txt', 'A', 1, 0],
      ['b.txt', 'A', 1, 0],
    ]);
    expect(r.diff).toContain('+++ b/a.txt');
    expect(r.diff).not.toContain('c.txt');
    expect(r.truncated).toBe(false);
  });

  it('a chunk without commits answers an empty diff without touching git; an unknown chunk is 404', async () => {
    const { handler } = handlerFor('/does/not/exist', [task('T1', 'C1', null)]);
    expect(await handler.execute(new GetChunkDiffQuery('p1', 'C1'))).toMatchObject({
      repository: null,
      commits: [],
      files: [],
      diff: '',
    });
    await expect(handler.execute(new GetChunkDiffQuery('p1', 'C9'))).rejects.toBeInstanceOf(
      NotFoundException,
    );
  });

  it('a repository that is not on this machine is 404 with the reason', async () => {
    const { handler } = handlerFor('/does/not/exist', [task('T1', 'C1', 'abcdef1234567')]);
    await expect(handler.execute(new GetChunkDiffQuery('p1', 'C1'))).rejects.toThrow(/not a directory/);
  });
});
