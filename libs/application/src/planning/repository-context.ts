import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Files that tell a planner what a repository is; read first, within the budget. */
const KEY_FILES = [
  'README.md',
  'README',
  'package.json',
  'pyproject.toml',
  'Cargo.toml',
  'go.mod',
  'pom.xml',
  'build.gradle',
  'Gemfile',
  'requirements.txt',
  'tsconfig.json',
  'CONTRIBUTING.md',
];
const SKIP_DIRS = new Set([
  '.git',
  'node_modules',
  'dist',
  'build',
  '.venv',
  'vendor',
  'target',
  '.chunkwise',
]);

export interface RepositoryContextOptions {
  /** Total characters of context (tree + files). */
  budget?: number;
  maxTreeEntries?: number;
}

/**
 * The repository's file tree and key files as planning context, within a size budget. Tracked files
 * come from `git ls-files` (so ignored files stay out); outside git, a bounded directory walk.
 */
export async function repositoryContext(
  root: string,
  options: RepositoryContextOptions = {},
): Promise<string> {
  const budget = options.budget ?? 60_000;
  const maxEntries = options.maxTreeEntries ?? 2_000;
  const files = (await gitFiles(root)) ?? (await walk(root, maxEntries));
  const shown = files.slice(0, maxEntries);
  let tree = shown.join('\n');
  if (files.length > shown.length) tree += `\n… ${files.length - shown.length} more files`;
  // The tree gets at most half the budget; key files share the rest.
  if (tree.length > budget / 2) tree = `${tree.slice(0, budget / 2)}\n… (tree truncated)`;

  const parts = [`<repository name="${path.basename(root)}">`, `<file_tree>\n${tree}\n</file_tree>`];
  let left = budget - tree.length;
  for (const name of KEY_FILES) {
    if (left <= 200) break;
    const body = await fs.readFile(path.join(root, name), 'utf8').catch(() => null);
    if (body === null) continue;
    const cut = body.length > left - 100 ? `${body.slice(0, left - 100)}\n… (truncated)` : body;
    parts.push(`<file path="${name}">\n${cut}\n</file>`);
    left -= cut.length + 30;
  }
  parts.push('</repository>');
  return parts.join('\n');
}

async function gitFiles(root: string): Promise<string[] | null> {
  try {
    const { stdout } = await run('git', ['-C', root, 'ls-files'], { maxBuffer: 64 * 1024 * 1024 });
    return stdout.split('\n').filter(Boolean);
  } catch {
    return null;
  }
}

async function walk(root: string, limit: number): Promise<string[]> {
  const out: string[] = [];
  const queue = [''];
  while (queue.length && out.length < limit) {
    const rel = queue.shift()!;
    const entries = await fs.readdir(path.join(root, rel), { withFileTypes: true }).catch(() => []);
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) queue.push(p);
      } else if (e.isFile()) out.push(p);
    }
  }
  return out;
}
