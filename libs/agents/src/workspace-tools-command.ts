import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { runProcess } from './process-runner';
import { isInside, ToolError, type WorkTree } from './workspace-tools-paths';

/**
 * Variables a command run by the model gets from the worker's environment. Deliberately short:
 * API keys and tokens of the worker (ANTHROPIC_API_KEY above all) never reach it.
 */
export const COMMAND_ENV_ALLOWLIST = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TERM', 'TMPDIR', 'USER'];

/** An allowlist entry: a bare command name (`npm`) or an absolute path (`/usr/bin/python3`). */
export const COMMAND_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

/** The allowlisted variables of `source`, and nothing else. */
export function commandEnvironment(source: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of COMMAND_ENV_ALLOWLIST) {
    const v = source[name];
    if (v !== undefined) env[name] = v;
  }
  return env;
}

export interface CommandPolicy {
  /** Commands the model may run, matched exactly against the `command` it gives. */
  allow: string[];
  timeoutMs: number;
  /** Output kept for the model (the tail); the rest is dropped. */
  maxOutputChars: number;
  /** The worker environment the allowlisted variables are taken from. */
  env?: NodeJS.ProcessEnv;
}

export interface CommandOutcome {
  text: string;
  isError: boolean;
  summary: string;
}

/**
 * Finds a bare command on PATH. Relative PATH entries and entries inside the work tree are
 * skipped: otherwise the model could write `./node` into the tree and have it run as `node`.
 */
async function findOnPath(name: string, pathVar: string, tree: WorkTree): Promise<string | null> {
  for (const dir of pathVar.split(path.delimiter)) {
    if (!dir || !path.isAbsolute(dir)) continue;
    const realDir = await fs.realpath(dir).catch(() => null);
    if (!realDir || isInside(tree.realRoot, realDir) || isInside(tree.root, dir)) continue;
    const candidate = path.join(dir, name);
    try {
      const st = await fs.stat(candidate);
      if (st.isFile()) {
        await fs.access(candidate, fs.constants.X_OK);
        return candidate;
      }
    } catch {
      // not here
    }
  }
  return null;
}

/** Runs one allowlisted program with an argument vector (no shell) in the work tree. */
export async function runAllowedCommand(
  tree: WorkTree,
  policy: CommandPolicy,
  command: string,
  args: string[],
  signal?: AbortSignal,
): Promise<CommandOutcome> {
  if (!policy.allow.includes(command)) {
    throw new ToolError(
      policy.allow.length
        ? `command "${command}" is not allowed; allowed commands: ${policy.allow.join(', ')}`
        : 'no commands are allowed in this plan (execution.agent.allowCommands is empty)',
    );
  }
  const env = commandEnvironment(policy.env ?? process.env);
  const executable = path.isAbsolute(command) ? command : await findOnPath(command, env.PATH ?? '', tree);
  if (!executable) throw new ToolError(`command "${command}" was not found on the worker's PATH`);

  const r = await runProcess({
    argv: [executable, ...args],
    cwd: tree.root,
    env: { ...env, CI: 'true' },
    timeoutMs: policy.timeoutMs,
    maxOutputBytes: policy.maxOutputChars,
    killGraceMs: 2000,
    signal,
  });
  const shown = `${command} ${args.join(' ')}`.trim().slice(0, 200);
  if (r.startError) throw new ToolError(`could not start ${command}: ${r.startError}`);
  const dropped =
    Buffer.byteLength(r.output) < r.outputBytes
      ? `[… earlier output dropped, ${r.outputBytes} bytes in all]\n`
      : '';
  const status = r.timedOut
    ? `timed out after ${policy.timeoutMs} ms and was killed`
    : r.aborted
      ? 'cancelled'
      : r.signal
        ? `killed by ${r.signal}`
        : `exit code ${r.exitCode}`;
  return {
    text: `$ ${shown}\n${status}\n${dropped}${r.output}`,
    isError: r.timedOut || r.aborted || r.exitCode !== 0,
    summary: `${status} (${r.durationMs} ms)`,
  };
}
