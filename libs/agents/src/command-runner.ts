import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { z } from 'zod';
import type { AgentRunner, TurnHooks, TurnRequest, TurnResult } from './port';
import { runProcess } from './process-runner';
import { readUsageFile, UsageLineScanner } from './usage-report';

export const commandAgentSchema = z.object({
  type: z.literal('command'),
  argv: z.array(z.string().min(1)).min(1, 'argv needs at least the program'),
  promptVia: z.enum(['stdin', 'file']).default('stdin'),
  timeoutSec: z
    .number()
    .int()
    .positive()
    .max(24 * 3600)
    .default(1800),
  /** Extra variables passed through from the worker's environment (names only; values never logged). */
  envAllowlist: z.array(z.string()).default([]),
  env: z.record(z.string(), z.string()).default({}),
});
export type CommandAgentConfig = z.infer<typeof commandAgentSchema>;

/** Variables every agent gets from the worker's environment; everything else is withheld. */
export const BASE_ENV_ALLOWLIST = [
  'PATH',
  'HOME',
  'LANG',
  'LC_ALL',
  'TERM',
  'TMPDIR',
  'USER',
  'SHELL',
  'NODE_OPTIONS',
];

export function agentEnvironment(
  turn: TurnRequest,
  allow: string[],
  extra: Record<string, string>,
  source = process.env,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of [...BASE_ENV_ALLOWLIST, ...allow]) {
    const v = source[name];
    if (v !== undefined) env[name] = v;
  }
  return {
    ...env,
    ...extra,
    CHUNKWISE_TASK_ID: turn.taskId ?? '',
    CHUNKWISE_CHUNK: turn.chunk,
    CHUNKWISE_ATTEMPT: String(turn.attempt),
    CHUNKWISE_PROMPT_FILE: turn.promptFile,
    CHUNKWISE_PLAN_FILE: turn.planFile,
    CHUNKWISE_FULL_PLAN_FILE: turn.fullPlanFile,
    CHUNKWISE_USAGE_FILE: usageFileOf(turn),
  };
}

/** Where an agent may write its usage report (docs/agents.md): beside the turn's prompt file. */
export const usageFileOf = (turn: TurnRequest) => path.join(path.dirname(turn.promptFile), 'usage.json');

/** Runs any CLI as the agent: prompt on stdin or in a file, cwd = the work tree. */
export class CommandAgentRunner implements AgentRunner {
  readonly type = 'command';
  constructor(private readonly config: CommandAgentConfig) {}

  async run(turn: TurnRequest, hooks: TurnHooks = {}): Promise<TurnResult> {
    await fs.mkdir(path.dirname(turn.promptFile), { recursive: true });
    await fs.writeFile(turn.promptFile, turn.prompt);
    await fs.rm(usageFileOf(turn), { force: true });
    const usageLines = new UsageLineScanner();
    const r = await runProcess({
      argv: this.config.argv,
      cwd: turn.cwd,
      env: agentEnvironment(turn, this.config.envAllowlist, this.config.env),
      stdin: this.config.promptVia === 'stdin' ? turn.prompt : '',
      timeoutMs: Math.min(this.config.timeoutSec, turn.timeoutSec) * 1000,
      onOutput: (chunk) => {
        usageLines.feed(chunk);
        hooks.onOutput?.(chunk);
      },
      signal: hooks.signal,
    });
    // The file wins over a stdout line; neither: unknown.
    const usage = (await readUsageFile(usageFileOf(turn))) ?? usageLines.end();
    return {
      exitCode: r.exitCode,
      signal: r.signal,
      timedOut: r.timedOut,
      startError: r.startError,
      output: r.output,
      outputBytes: r.outputBytes,
      durationMs: r.durationMs,
      usage,
    };
  }
}
