import { endClaudeStream, feedClaudeStream, newClaudeStreamState } from './claude-stream';
import { CommandAgentRunner } from './command-runner';
import type { AgentRunner, TurnHooks, TurnRequest, TurnResult } from './port';

export interface ClaudeCodeConfig {
  model?: string;
  timeoutSec: number;
  extraArgs: string[];
  envAllowlist: string[];
  /** The `claude` executable (default: `claude` on PATH). */
  command?: string;
}

/**
 * Runs the `claude` CLI headless (`-p`, prompt on stdin, stream-json output) in the work tree. The
 * raw stream is parsed into readable lines for the live log, and the final result decides success:
 * an exit code of 0 with an error result still fails the turn.
 */
export class ClaudeCodeRunner implements AgentRunner {
  readonly type = 'claude-code';
  constructor(private readonly config: ClaudeCodeConfig) {}

  argv(): string[] {
    const c = this.config;
    return [
      c.command ?? 'claude',
      '-p',
      '--output-format',
      'stream-json',
      '--verbose',
      '--permission-mode',
      'acceptEdits',
      ...(c.model ? ['--model', c.model] : []),
      ...c.extraArgs,
    ];
  }

  async run(turn: TurnRequest, hooks: TurnHooks = {}): Promise<TurnResult> {
    const stream = newClaudeStreamState();
    const readable: string[] = [];
    const emit = (lines: string[]) => {
      for (const l of lines) {
        readable.push(l);
        hooks.onOutput?.(`${l}\n`);
      }
    };
    const inner = new CommandAgentRunner({
      type: 'command',
      argv: this.argv(),
      promptVia: 'stdin',
      timeoutSec: this.config.timeoutSec,
      envAllowlist: [
        'ANTHROPIC_API_KEY',
        'ANTHROPIC_BASE_URL',
        'CLAUDE_CONFIG_DIR',
        'CLAUDE_CODE_USE_BEDROCK',
        'CLAUDE_CODE_USE_VERTEX',
        ...this.config.envAllowlist,
      ],
      env: {},
    });
    const r = await inner.run(turn, {
      signal: hooks.signal,
      onOutput: (chunk) => emit(feedClaudeStream(stream, chunk)),
    });
    emit(endClaudeStream(stream));
    const s = stream.summary;
    return {
      ...r,
      output: readable.join('\n').slice(-1024 * 1024),
      agentError:
        r.exitCode === 0 && s.isError ? `claude reported an error: ${s.result ?? 'no result text'}` : null,
      usage: s.usage ? { ...s.usage, costUsd: s.costUsd, model: s.model ?? this.config.model ?? null } : null,
    };
  }
}
