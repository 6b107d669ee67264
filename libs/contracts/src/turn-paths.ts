/**
 * Where a worker keeps a session's work tree and a turn's output under its data directory. The
 * worker writes there and the API reads the same paths, so both compute them here. Pure string
 * helpers (workflow code imports this library, so no node:path): POSIX separators.
 */

/** Anything but the safe characters becomes `replacement`, so an id can never escape its directory. */
const safeName = (name: string, unsafe: RegExp, replacement: string) => name.replace(unsafe, replacement);

/** Joins path segments with `/`, without doubling the separator after a directory that ends in one. */
export function joinPath(dir: string, ...segments: string[]): string {
  if (dir === '') return segments.join('/');
  // '/' becomes '' so that the joined path starts with exactly one '/'.
  return [dir.replace(/\/+$/, ''), ...segments].join('/');
}

/**
 * The session's work tree for `branch` (a branch name's slashes become `__`). A task repository
 * other than the plan's (multi-repository plans) has its own, beside it: `<name>@<repositoryKey>`.
 */
export const worktreePathFor = (dataDir: string, branch: string, repositoryKey?: string) =>
  joinPath(
    dataDir,
    'worktrees',
    safeName(branch, /[^A-Za-z0-9._-]+/g, '__') +
      (repositoryKey ? `@${safeName(repositoryKey, /[^A-Za-z0-9_-]+/g, '_')}` : ''),
  );

/** The full output log of one agent turn. */
export const turnOutputPath = (dataDir: string, planId: string, turnId: string) =>
  joinPath(
    dataDir,
    'turns',
    safeName(planId, /[^A-Za-z0-9_-]/g, '_'),
    `${safeName(turnId, /[^A-Za-z0-9_-]/g, '_')}.log`,
  );

/** The agent's private state for one turn (claude's configuration directory and transcripts). */
export const agentStatePath = (dataDir: string, planId: string, turnId: string) =>
  joinPath(
    dataDir,
    'agent-state',
    safeName(planId, /[^A-Za-z0-9_-]/g, '_'),
    safeName(turnId, /[^A-Za-z0-9_-]/g, '_'),
  );
