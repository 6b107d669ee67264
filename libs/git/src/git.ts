import { launch } from './launcher';

export class GitError extends Error {
  constructor(
    readonly args: string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`git ${args.join(' ')} failed (exit ${exitCode}): ${stderr.trim().slice(0, 2000)}`);
    this.name = 'GitError';
  }
}

/**
 * Runs git with an argument vector — never a shell string, so task titles and LLM text cannot
 * inject commands. Author identity is fixed so commits work on machines without a git config.
 */
export async function git(
  cwd: string,
  args: string[],
  options: { input?: string; allowFail?: boolean } = {},
): Promise<{ stdout: string; stderr: string; code: number }> {
  const { error, stdout, stderr } = await launch({
    file: 'git',
    args,
    cwd,
    maxBuffer: 64 * 1024 * 1024,
    input: options.input,
    env: {
      ...process.env,
      GIT_TERMINAL_PROMPT: '0',
      GIT_AUTHOR_NAME: process.env.GIT_AUTHOR_NAME ?? 'Chunkwise',
      GIT_AUTHOR_EMAIL: process.env.GIT_AUTHOR_EMAIL ?? 'chunkwise@localhost',
      GIT_COMMITTER_NAME: process.env.GIT_COMMITTER_NAME ?? 'Chunkwise',
      GIT_COMMITTER_EMAIL: process.env.GIT_COMMITTER_EMAIL ?? 'chunkwise@localhost',
    },
  });
  const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
  if (error && !options.allowFail) throw new GitError(args, code, stderr || error.message);
  return { stdout, stderr, code };
}

export async function gitOut(cwd: string, args: string[]): Promise<string> {
  return (await git(cwd, args)).stdout.trim();
}
