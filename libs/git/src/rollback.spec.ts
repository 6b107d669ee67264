import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { git, gitOut } from './git';
import { commitTask, ensureWorktree, headSha } from './repository';
import { abandonInterruptedRevert, REVERTS_TRAILER, ROLLBACK_TRAILER, rollbackBranch } from './rollback';
import { makeTempRepo } from '../../../test/support/git-temp-repo';

describe('rolling back a session branch (real git)', () => {
  let repo: string;
  let wt: string;
  let start: string;
  const branch = 'chunkwise/p1/s1';
  beforeEach(async () => {
    repo = await makeTempRepo();
    wt = (await ensureWorktree({ repository: repo, path: `${repo}-wt/session`, branch })).path;
    start = await headSha(wt);
  });
  afterEach(async () => {
    for (const dir of [repo, `${repo}-wt`, `${repo}-remote`])
      await fs.rm(dir, { recursive: true, force: true });
  });

  const write = (file: string, content: string) => fs.writeFile(path.join(wt, file), content);
  async function task(taskId: string, file: string, content: string): Promise<string> {
    await write(file, content);
    return (await commitTask(wt, { sessionId: 's1', taskId, title: taskId })).sha;
  }
  async function otherCommit(file: string, content: string): Promise<string> {
    await write(file, content);
    await git(wt, ['add', '-A']);
    await git(wt, ['commit', '-q', '-m', 'by someone else']);
    return headSha(wt);
  }
  const files = async () => (await gitOut(wt, ['ls-files'])).split('\n').sort();
  const rollback = (commits: string[], s: string | null = start, rollbackId = 'rb_1') =>
    rollbackBranch({ worktree: wt, branch, rollbackId, start: s, commits });

  it('resets the branch to its start when it holds only the session’s commits', async () => {
    const a = await task('T1', 'a.txt', 'a\n');
    const b = await task('T2', 'b.txt', 'b\n');
    const r = await rollback([a, b]);
    expect(r).toEqual({
      ok: true,
      method: 'reset',
      reverted: [b, a],
      revertCommits: [],
      previousHead: b,
      newHead: start,
      pushed: false,
    });
    expect(await headSha(wt)).toBe(start);
    expect(await files()).toEqual(['README.md']);
    // Retried after a crash: the same answer, nothing more done.
    expect(await rollback([a, b])).toMatchObject({ ok: true, method: 'reset', newHead: start });
    expect(await headSha(wt)).toBe(start);
  });

  it('without a recorded start, resets to the parent of the oldest commit', async () => {
    const a = await task('T1', 'a.txt', 'a\n');
    const b = await task('T2', 'b.txt', 'b\n');
    expect(await rollback([b, a], null)).toMatchObject({ ok: true, method: 'reset', newHead: start });
  });

  it('reverts, newest first, when someone else committed on the branch later; their commit stays', async () => {
    const a = await task('T1', 'a.txt', 'a\n');
    const b = await task('T2', 'b.txt', 'b\n');
    const other = await otherCommit('other.txt', 'x\n');
    const r = await rollback([a, b]);
    if (!r.ok) throw new Error(r.message);
    expect(r.method).toBe('revert');
    expect(r.reverted).toEqual([b, a]);
    expect(r.revertCommits).toHaveLength(2);
    expect(r.previousHead).toBe(other);
    expect(await files()).toEqual(['README.md', 'other.txt']);
    const bodies = (await gitOut(wt, ['log', '-n2', '--format=%B%x1e'])).split('\x1e').map((s) => s.trim());
    expect(bodies[0]).toContain(`${REVERTS_TRAILER}: ${a}`);
    expect(bodies[1]).toContain(`${REVERTS_TRAILER}: ${b}`);
    expect(bodies[0]).toContain(`${ROLLBACK_TRAILER}: rb_1`);
    // Retried: the revert commits are found, nothing is reverted twice.
    const again = await rollback([a, b]);
    expect(again).toEqual(r);
    expect(await headSha(wt)).toBe(r.newHead);
  });

  it('a retry after a crash between two reverts goes on from the first', async () => {
    const a = await task('T1', 'a.txt', 'a\n');
    const b = await task('T2', 'b.txt', 'b\n');
    const other = await otherCommit('other.txt', 'x\n');
    // The first revert made and committed, the second interrupted half way.
    await git(wt, ['revert', '--no-commit', b]);
    await git(wt, ['commit', '-q', '-F', '-'], {
      input: `Revert b\n\n${ROLLBACK_TRAILER}: rb_1\n${REVERTS_TRAILER}: ${b}\n`,
    });
    const first = await headSha(wt);
    await git(wt, ['revert', '--no-commit', a]);
    await abandonInterruptedRevert(wt);
    const r = await rollback([a, b]);
    if (!r.ok) throw new Error(r.message);
    expect(r.previousHead).toBe(other);
    expect(r.revertCommits[0]).toBe(first);
    expect(r.revertCommits).toHaveLength(2);
    expect(await files()).toEqual(['README.md', 'other.txt']);
  });

  it('a conflicting later change: reports the commit and the files, and changes nothing', async () => {
    await task('T1', 'a.txt', 'a\n');
    const b = await task('T2', 'a.txt', 'a\nb\n');
    const other = await otherCommit('a.txt', 'a\nb changed by hand\n');
    const before = await gitOut(wt, ['status', '--porcelain']);
    const r = await rollback([b]);
    expect(r).toEqual({
      ok: false,
      reason: 'conflict',
      message: expect.stringContaining('a.txt'),
      conflict: { commit: b, files: ['a.txt'] },
      head: other,
    });
    expect(await headSha(wt)).toBe(other);
    expect(await fs.readFile(path.join(wt, 'a.txt'), 'utf8')).toBe('a\nb changed by hand\n');
    expect(await gitOut(wt, ['status', '--porcelain'])).toBe(before);
  });

  it('a dry run tells reset, revert or conflict and changes nothing', async () => {
    const a = await task('T1', 'a.txt', 'a\n');
    const b = await task('T2', 'a.txt', 'a\nb\n');
    const dry = (commits: string[]) =>
      rollbackBranch({ worktree: wt, branch, rollbackId: 'rb_dry', start, commits, dryRun: true });
    expect(await dry([a, b])).toMatchObject({ ok: true, method: 'reset', newHead: start, pushed: false });
    expect(await headSha(wt)).toBe(b);
    const other = await otherCommit('other.txt', 'x\n');
    expect(await dry([a, b])).toMatchObject({
      ok: true,
      method: 'revert',
      revertCommits: [],
      newHead: other,
    });
    expect(await headSha(wt)).toBe(other);
    expect(await files()).toEqual(['README.md', 'a.txt', 'other.txt']);
    expect(await gitOut(wt, ['status', '--porcelain'])).toBe('');
    const hand = await otherCommit('a.txt', 'a\nb changed by hand\n');
    expect(await dry([b])).toMatchObject({
      ok: false,
      reason: 'conflict',
      conflict: { commit: b },
      head: hand,
    });
    expect(await headSha(wt)).toBe(hand);
    expect(await gitOut(wt, ['status', '--porcelain'])).toBe('');
    // The real rollback afterwards finds no trace of the dry runs.
    expect(await rollback([a, b])).toMatchObject({ ok: false, reason: 'conflict' });
  });

  it('undoes one task’s commit among others (revert: later commits stay)', async () => {
    const a = await task('T1', 'a.txt', 'a\n');
    await task('T2', 'b.txt', 'b\n');
    const r = await rollback([a], null);
    expect(r).toMatchObject({ ok: true, method: 'revert', reverted: [a] });
    expect(await files()).toEqual(['README.md', 'b.txt']);
  });

  it('refuses a dirty work tree and commits that are not on the branch, changing nothing', async () => {
    const a = await task('T1', 'a.txt', 'a\n');
    await write('a.txt', 'dirty\n');
    expect(await rollback([a])).toMatchObject({ ok: false, reason: 'dirty', head: a });
    await git(wt, ['checkout', '--', 'a.txt']);
    expect(await rollback(['0'.repeat(40)])).toMatchObject({ ok: false, reason: 'not_on_branch', head: a });
    expect(await headSha(wt)).toBe(a);
  });

  describe('with a remote', () => {
    let remote: string;
    beforeEach(async () => {
      remote = `${repo}-remote`;
      await git(repo, ['init', '-q', '--bare', remote]);
      await git(repo, ['remote', 'add', 'origin', remote]);
    });
    const remoteHead = () => gitOut(remote, ['rev-parse', `refs/heads/${branch}`]);

    it('a pushed branch equal to the remote is reset there too, with a lease', async () => {
      const a = await task('T1', 'a.txt', 'a\n');
      await git(wt, ['push', '-q', 'origin', branch]);
      expect(await rollback([a])).toMatchObject({ ok: true, method: 'reset', pushed: true, newHead: start });
      expect(await remoteHead()).toBe(start);
    });

    it('a remote that differs from the local branch is never forced: revert, and an ordinary push', async () => {
      const pushedTask = await task('T1', 'a.txt', 'a\n');
      await git(wt, ['push', '-q', 'origin', branch]);
      // The local branch went another way since (the remote holds a commit it does not).
      await git(wt, ['reset', '-q', '--hard', start]);
      const a = await task('T1', 'a.txt', 'a again\n');
      const r = await rollback([a]);
      expect(r).toMatchObject({ ok: true, method: 'revert', reverted: [a], pushed: false });
      expect(await remoteHead()).toBe(pushedTask);
    });

    it('a remote behind the local branch gets the revert commits by a fast-forward push', async () => {
      await git(wt, ['push', '-q', 'origin', branch]); // the remote holds the start only
      const a = await task('T1', 'a.txt', 'a\n');
      const r = await rollback([a]);
      expect(r).toMatchObject({ ok: true, method: 'revert', reverted: [a], pushed: true });
      expect(await remoteHead()).toBe(await headSha(wt));
    });
  });
});
