import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The repository root: the nearest ancestor of `startDir` (default: this file's directory, which
 * works from the TypeScript sources and from `dist/`) holding the `chunkwise` package.json.
 * Falls back to the current working directory.
 */
export function findProjectRoot(startDir: string = __dirname): string {
  let dir = resolve(startDir);
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'chunkwise') return dir;
      } catch {
        // unreadable package.json: keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}
