import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLAUDE_ENV_ALLOWLIST, CLAUDE_HEADLESS_ENV, claudeCodeArgv } from './claude-code-args';
import {
  endClaudeStream,
  feedClaudeStream,
  newClaudeStreamState,
  type ClaudeTurnSummary,
} from './claude-stream';
import { agentEnvironment } from './command-runner';
import type { AgentRunner, TurnHooks, TurnRequest, TurnResult } from './port';
import { runProcess } from './process-runner';

export interface ClaudeCodeConfig {
  model?: string;
  timeoutSec: number;
  /** Claude Code permission rules beyond edits in the work tree, e.g. "Bash(npm test)". */
  allowedTools?: string[];
  extraArgs: string[];
  envAllowlist: string[];
  /** The `claude` executable (default: `claude` on PATH). */
  command?: string;
}

/**
 * Runs the `claude` CLI headless (`-p`, prompt on stdin, stream-json output) in the work tree. The
 * raw stream is parsed into readable lines for the live log, and the final result decides success:
 * an error result fails the turn whatever the exit code, and so does an exit without a result.
 *
 * The API key never enters the CLI's environment (which every command it runs would inherit): it
 * is written to a private file for the turn and read by the CLI's `apiKeyHelper`.
 */
export class ClaudeCodeRunner implements AgentRunner {
  readonly type = 'claude-code';
  constructor(
    private readonly config: ClaudeCodeConfig,
    /** The worker's environment: the API key, the base URL and the allowlisted variables come from it. */
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  async run(turn: TurnRequest, hooks: TurnHooks = {}): Promise<TurnResult> {
    await fs.mkdir(path.dirname(turn.promptFile), { recursive: true });
    await fs.writeFile(turn.promptFile, turn.prompt);
    const ownStateDir = !turn.stateDir;
    const stateDir = turn.stateDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'chunkwise-claude-')));
    const configDir = path.join(stateDir, 'claude-config');
    const apiKey = this.env.ANTHROPIC_API_KEY;
    // Same path for a retried turn (same state directory), so a file left by a dead worker goes too.
    const apiKeyFile = apiKey ? path.join(stateDir, 'api-key') : null;

    const stream = newClaudeStreamState();
    const readable: string[] = [];
    const emit = (lines: string[]) => {
      for (const l of lines) {
        readable.push(l);
        hooks.onOutput?.(`${l}\n`);
      }
    };
    // Stops the CLI when the API refused the key (it would retry for minutes), or on cancellation.
    const stop = new AbortController();
    const onCancel = () => stop.abort();
    if (hooks.signal?.aborted) stop.abort();
    else hooks.signal?.addEventListener('abort', onCancel);
    let stderrRest = '';

    const sessionId = randomUUID();
    const env = agentEnvironment(
      turn,
      [...CLAUDE_ENV_ALLOWLIST, ...this.config.envAllowlist],
      { ...CLAUDE_HEADLESS_ENV, CLAUDE_CONFIG_DIR: configDir },
      this.env,
    );
    delete env.ANTHROPIC_API_KEY; // even when an allowlist names it: the helper file carries it
    try {
      await fs.mkdir(configDir, { recursive: true, mode: 0o700 });
      if (apiKeyFile) await fs.writeFile(apiKeyFile, apiKey!, { mode: 0o600 });
      const r = await runProcess({
        argv: claudeCodeArgv(this.config, { sessionId, apiKeyFile }),
        cwd: turn.cwd,
        env,
        stdin: turn.prompt,
        timeoutMs: Math.min(this.config.timeoutSec, turn.timeoutSec) * 1000,
        signal: stop.signal,
        onOutput: (chunk, from) => {
          if (from === 'stdout') {
            emit(feedClaudeStream(stream, chunk));
            if (stream.summary.credentialsRefused) stop.abort();
            return;
          }
          const lines = (stderrRest + chunk).split('\n');
          stderrRest = lines.pop() ?? '';
          emit(lines.filter((l) => l.trim()).map((l) => `[stderr] ${l}`));
        },
      });
      emit(endClaudeStream(stream));
      if (stderrRest.trim()) emit([`[stderr] ${stderrRest}`]);
      const s = stream.summary;
      const cancelled = Boolean(hooks.signal?.aborted);
      return {
        exitCode: r.exitCode,
        signal: r.signal,
        timedOut: r.timedOut,
        startError: r.startError,
        output: readable.join('\n').slice(-1024 * 1024),
        outputBytes: r.outputBytes,
        durationMs: r.durationMs,
        agentError: r.timedOut || cancelled || r.startError ? null : claudeError(s, r.exitCode ?? r.signal),
        usage: s.usage
          ? { ...s.usage, costUsd: s.costUsd, model: s.model ?? this.config.model ?? null }
          : null,
        agentSessionId: s.sessionId ?? sessionId,
      };
    } finally {
      hooks.signal?.removeEventListener('abort', onCancel);
      if (apiKeyFile) await fs.rm(apiKeyFile, { force: true });
      if (ownStateDir) await fs.rm(stateDir, { recursive: true, force: true });
    }
  }
}

/** Why the turn failed by the CLI's own account; null when it finished with a successful result. */
export function claudeError(s: ClaudeTurnSummary, exit: number | string | null): string | null {
  if (s.credentialsRefused) {
    const { status, error } = s.credentialsRefused;
    return `Anthropic API error ${status} (${error}): the API refused the credentials; the turn was stopped instead of retrying`;
  }
  if (s.finished && s.isError) {
    const api = s.apiErrorStatus ? `Anthropic API error ${s.apiErrorStatus}: ` : '';
    return `claude reported an error: ${api}${s.result ?? 'no result text'}`;
  }
  if (!s.finished) return `claude exited (${exit ?? 'no exit code'}) without a result`;
  return null;
}
