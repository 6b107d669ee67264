import { launch } from './launcher';

/** One commit of a chunk, as git knows it. */
export interface DiffCommit {
  sha: string;
  subject: string;
  author: string;
  date: string;
}

/** A file a chunk's commits touched (status of its latest change: A, M, D, R, C, T). */
export interface DiffFile {
  path: string;
  status: string;
  additions: number | null;
  deletions: number | null;
}

export interface CommitsDiff {
  commits: DiffCommit[];
  /** Shas git does not know in this repository (garbage-collected, or another clone). */
  missing: string[];
  files: DiffFile[];
  /** The unified diff of every commit, in order, each introduced by its `commit <sha>` line. */
  diff: string;
  /** True when the diff was cut at `maxBytes`. */
  truncated: boolean;
}

export const SHA_PATTERN = /^[0-9a-f]{7,64}$/;
const DEFAULT_MAX_BYTES = 1024 * 1024;
/** Metadata answers (log lines, numstat) are small; a generous bound still stops a runaway. */
const META_MAX_BYTES = 4 * 1024 * 1024;

/**
 * Runs git with an argument vector (never a shell) and at most `maxBytes` of stdout: past the bound
 * the child is killed and what arrived is returned with `truncated`.
 */
export function gitBounded(
  cwd: string,
  args: string[],
  maxBytes: number,
): Promise<{ stdout: string; code: number; truncated: boolean; stderr: string }> {
  return launch({
    file: 'git',
    args,
    cwd,
    maxBuffer: maxBytes,
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat', GIT_CONFIG_NOSYSTEM: '1' },
  }).then(
    ({ error, stdout, stderr }) => {
      const truncated = error?.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER';
      const code = !error || truncated ? 0 : typeof error.code === 'number' ? error.code : 1;
      return { stdout, stderr, code, truncated };
    },
    (err: unknown) => ({ stdout: '', stderr: String((err as Error).message), code: 1, truncated: false }),
  );
}

/**
 * What a list of commits changed, read from the repository at `cwd`: their subjects, the files they
 * touched (with line counts summed over the commits) and their unified diffs, in the given order,
 * bounded to `maxBytes` of diff text. Unknown shas are reported, not thrown.
 */
export async function commitsDiff(
  cwd: string,
  shas: readonly string[],
  options: { maxBytes?: number } = {},
): Promise<CommitsDiff> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const unique = [...new Set(shas)].filter((s) => SHA_PATTERN.test(s));
  const commits: DiffCommit[] = [];
  const missing: string[] = [];
  const files = new Map<string, DiffFile>();
  let diff = '';
  let truncated = false;
  for (const sha of unique) {
    const meta = await gitBounded(
      cwd,
      ['show', '-s', '--no-color', '--format=%H%x00%s%x00%an%x00%aI', `${sha}^{commit}`, '--'],
      META_MAX_BYTES,
    );
    if (meta.code !== 0) {
      missing.push(sha);
      continue;
    }
    const [full, subject = '', author = '', date = ''] = meta.stdout.trim().split('\0');
    commits.push({ sha: full!, subject, author, date });

    const status = await gitBounded(
      cwd,
      ['show', '--no-color', '--format=', '--name-status', '--no-renames', full!, '--'],
      META_MAX_BYTES,
    );
    const counts = await gitBounded(
      cwd,
      ['show', '--no-color', '--format=', '--numstat', '--no-renames', full!, '--'],
      META_MAX_BYTES,
    );
    const numbers = new Map<string, [number | null, number | null]>();
    for (const line of counts.stdout.split('\n')) {
      const m = /^(\d+|-)\t(\d+|-)\t(.+)$/.exec(line);
      if (m) numbers.set(m[3]!, [m[1] === '-' ? null : Number(m[1]), m[2] === '-' ? null : Number(m[2])]);
    }
    for (const line of status.stdout.split('\n')) {
      const m = /^([A-Z])[0-9]*\t(.+)$/.exec(line);
      if (!m) continue;
      const path = m[2]!;
      const [add, del] = numbers.get(path) ?? [null, null];
      const before = files.get(path);
      const sum = (a: number | null | undefined, b: number | null) =>
        a === null || b === null ? null : (a ?? 0) + b;
      files.set(path, {
        path,
        status: before && before.status === 'A' && m[1] !== 'D' ? 'A' : m[1]!,
        additions: sum(before ? before.additions : undefined, add),
        deletions: sum(before ? before.deletions : undefined, del),
      });
    }

    if (truncated) continue;
    const room = maxBytes - Buffer.byteLength(diff);
    if (room <= 0) {
      truncated = true;
      continue;
    }
    const patch = await gitBounded(
      cwd,
      ['show', '--no-color', '--no-ext-diff', '--format=commit %H%n%n    %s%n', '--patch', full!, '--'],
      room,
    );
    diff += patch.stdout.endsWith('\n') || patch.stdout === '' ? patch.stdout : `${patch.stdout}\n`;
    if (patch.truncated) truncated = true;
  }
  return {
    commits,
    missing,
    files: [...files.values()].sort((a, b) => a.path.localeCompare(b.path)),
    diff,
    truncated,
  };
}
