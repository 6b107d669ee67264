import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { git } from '@chunkwise/git';

/** A real git repository in a temp dir, on `main` with one commit (README.md). Test-only. */
export async function makeTempRepo(prefix = 'cw-git-'): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  await git(dir, ['init', '-q', '-b', 'main']);
  await fs.writeFile(path.join(dir, 'README.md'), '# demo\n');
  await git(dir, ['add', '.']);
  await git(dir, ['commit', '-q', '-m', 'initial']);
  return dir;
}

export const localBranches = async (cwd: string) =>
  (await git(cwd, ['branch', '--list', '--format=%(refname:short)'])).stdout
    .trim()
    .split('\n')
    .filter(Boolean);
