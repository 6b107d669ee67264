import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { makeTempRepo } from '../../../test/support/git-temp-repo';
import { commitsDiff, gitBounded } from './chunk-diff';
import { git, gitOut } from './git';

async function commit(dir: string, files: Record<string, string | null>, message: string): Promise<string> {
  for (const [name, content] of Object.entries(files)) {
    if (content === null) await fs.rm(path.join(dir, name));
    else {
      await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
      await fs.writeFile(path.join(dir, name), content);
    }
  }
  await git(dir, ['add', '-A']);
  await git(dir, ['commit', '-q', '-m', message]);
  return gitOut(dir, ['rev-parse', 'HEAD']);
}

describe('commitsDiff (a real repository)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeTempRepo('cw-diff-');
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('lists the commits, the files they touched with summed line counts, and their unified diffs in order', async () => {
    const a = await commit(dir, { 'src/a.ts': 'one\ntwo\n', 'README.md': '# demo\nmore\n' }, 'T1: add a');
    const b = await commit(dir, { 'src/a.ts': 'one\nTWO\nthree\n', 'README.md': null }, 'T2: change a');
    const r = await commitsDiff(dir, [a, b]);
    expect(r.commits.map((c) => [c.sha, c.subject])).toEqual([
      [a, 'T1: add a'],
      [b, 'T2: change a'],
    ]);
    expect(r.commits[0]!.date).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(r.missing).toEqual([]);
    expect(r.files).toEqual([
      { path: 'README.md', status: 'D', additions: 1, deletions: 2 },
      { path: 'src/a.ts', status: 'A', additions: 4, deletions: 1 },
    ]);
    expect(r.truncated).toBe(false);
    expect(r.diff.indexOf(`commit ${a}`)).toBeLessThan(r.diff.indexOf(`commit ${b}`));
    expect(r.diff).toContain('diff --git a/src/a.ts b/src/a.ts');
    expect(r.diff).toContain('+three');
    expect(r.diff).toContain('-two');
  });

  it('reports unknown shas, ignores anything that is not a sha, and never runs what a sha says', async () => {
    const a = await commit(dir, { 'x.txt': 'x\n' }, 'x');
    const r = await commitsDiff(dir, ['deadbeefdeadbeef', a, '--output=/tmp/pwned', '$(touch pwned)', a]);
    expect(r.commits.map((c) => c.sha)).toEqual([a]);
    expect(r.missing).toEqual(['deadbeefdeadbeef']);
    await expect(fs.stat(path.join(dir, 'pwned'))).rejects.toThrow();
  });

  it('cuts the diff at maxBytes and says so', async () => {
    const big = Array.from({ length: 5000 }, (_, i) => `line ${i} ${'x'.repeat(40)}`).join('\n');
    const a = await commit(dir, { 'big.txt': big }, 'big');
    const b = await commit(dir, { 'small.txt': 'small\n' }, 'small');
    const r = await commitsDiff(dir, [a, b], { maxBytes: 10_000 });
    expect(r.truncated).toBe(true);
    expect(Buffer.byteLength(r.diff)).toBeLessThanOrEqual(10_001);
    expect(r.diff).not.toContain(`commit ${b}`);
    // The file list is complete even when the text is cut.
    expect(r.files.map((f) => f.path)).toEqual(['big.txt', 'small.txt']);
  });

  it('gitBounded returns what arrived before the bound', async () => {
    const r = await gitBounded(dir, ['log', '--format=%H%n%H%n%H'], 20);
    expect(r.truncated).toBe(true);
    expect(r.stdout.length).toBeLessThanOrEqual(20);
  });
});
