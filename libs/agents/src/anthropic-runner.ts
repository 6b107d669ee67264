import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import Anthropic, { APIError } from '@anthropic-ai/sdk';
import type { MessageParam, ToolResultBlockParam, ToolUseBlock } from '@anthropic-ai/sdk/resources/messages';
import { addUsage, estimateCostUsd, usageFromApi, zeroUsage, type LlmUsage } from '@chunkwise/llm';
import type { AnthropicAgentConfig } from './anthropic-runner-config';
import type { AgentRunner, TurnHooks, TurnRequest, TurnResult } from './port';
import { describeToolCall, WorkspaceTools } from './workspace-tools';

/** Where the runner's credentials come from: the worker's environment, read where runners are made. */
export interface AnthropicCredentials {
  apiKey: string | null;
  baseURL: string | null;
}

export function anthropicCredentialsFromEnv(env: NodeJS.ProcessEnv = process.env): AnthropicCredentials {
  return { apiKey: env.ANTHROPIC_API_KEY || null, baseURL: env.ANTHROPIC_BASE_URL || null };
}

export interface AnthropicRunnerOptions {
  /** Environment the allowlisted variables of run_command are taken from (default: the worker's). */
  commandEnv?: NodeJS.ProcessEnv;
  /** SDK retries of 429/5xx/connection errors per request. */
  maxRetries?: number;
}

const MAX_KEPT_OUTPUT = 1024 * 1024;
const MAX_COMMAND_OUTPUT = 30_000;

/** The live log of a turn: streamed to the hooks as heartbeats, its tail kept for the result. */
class TurnLog {
  text = '';
  bytes = 0;
  private atLineStart = true;
  constructor(private readonly onOutput?: (chunk: string) => void) {}

  write(chunk: string): void {
    if (!chunk) return;
    this.text += chunk;
    if (this.text.length > MAX_KEPT_OUTPUT) this.text = this.text.slice(-MAX_KEPT_OUTPUT);
    this.bytes += Buffer.byteLength(chunk);
    this.atLineStart = chunk.endsWith('\n');
    this.onOutput?.(chunk);
  }

  /** A line of its own, even after streamed text that did not end with a newline. */
  line(text: string): void {
    this.write(`${this.atLineStart ? '' : '\n'}${text}\n`);
  }
}

function systemPrompt(root: string, allow: string[]): string {
  return [
    `You are a coding agent working in a git work tree at ${root}.`,
    'Use the tools to inspect and change files. Paths are relative to the work tree root; nothing outside it can be read or written, and .git cannot be changed.',
    allow.length
      ? `run_command starts only these programs: ${allow.join(', ')}. There is no shell: give the program and its arguments separately; pipes, redirection, globs and && do not work.`
      : 'No commands can be run in this work tree; run_command will refuse.',
    'Do not commit: the QA gates run and the commit is made after your turn.',
    'When the work is done, reply with a short summary of what you changed and stop calling tools.',
  ].join('\n');
}

/**
 * Marks the last message as a prompt-cache breakpoint (on a copy), so each round of the loop
 * reads the conversation so far from the cache instead of paying for it again.
 */
function withCacheBreakpoint(messages: MessageParam[]): MessageParam[] {
  const last = messages[messages.length - 1];
  const blocks =
    typeof last.content === 'string' ? [{ type: 'text' as const, text: last.content }] : last.content;
  const marked = blocks.map((b, i) =>
    i === blocks.length - 1 ? { ...b, cache_control: { type: 'ephemeral' as const } } : b,
  );
  return [...messages.slice(0, -1), { ...last, content: marked } as MessageParam];
}

type Ending =
  { kind: 'done' } | { kind: 'failed'; error: string } | { kind: 'timeout' } | { kind: 'cancelled' };

/**
 * Runs a turn as a Messages API tool-use loop: the prompt goes out with the six workspace tools,
 * every tool_use is executed inside the work tree and answered with a tool_result, until the model
 * ends its turn, the tool-round budget or the turn's time runs out, or the turn is cancelled.
 */
export class AnthropicAgentRunner implements AgentRunner {
  readonly type = 'anthropic';
  // Private fields: the key never shows up in inspection, serialisation or logs of the runner.
  readonly #apiKey: string | null;
  readonly #baseURL: string | null;

  constructor(
    private readonly config: AnthropicAgentConfig,
    credentials: AnthropicCredentials,
    private readonly options: AnthropicRunnerOptions = {},
  ) {
    this.#apiKey = credentials.apiKey;
    this.#baseURL = credentials.baseURL;
  }

  async run(turn: TurnRequest, hooks: TurnHooks = {}): Promise<TurnResult> {
    const started = Date.now();
    const log = new TurnLog(hooks.onOutput);
    await fs.mkdir(path.dirname(turn.promptFile), { recursive: true });
    await fs.writeFile(turn.promptFile, turn.prompt);
    if (!this.#apiKey) {
      return {
        exitCode: null,
        signal: null,
        timedOut: false,
        startError: "ANTHROPIC_API_KEY is not set in the worker's environment",
        output: '',
        outputBytes: 0,
        durationMs: Date.now() - started,
      };
    }

    const c = this.config;
    const timeoutSec = Math.min(c.timeoutSec, turn.timeoutSec);
    const abort = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, timeoutSec * 1000);
    const onCancel = () => abort.abort();
    if (hooks.signal?.aborted) abort.abort();
    else hooks.signal?.addEventListener('abort', onCancel);

    let usage = zeroUsage();
    let costUsd = 0;
    let rounds = 0;
    let requests = 0;
    let ending: Ending;
    try {
      const tools = await WorkspaceTools.open(turn.cwd, {
        commands: {
          allow: c.allowCommands,
          timeoutMs: c.commandTimeoutMs,
          maxOutputChars: MAX_COMMAND_OUTPUT,
          env: this.options.commandEnv,
        },
        // The frozen full plan is reference only; the chunk plan stays writable (chunk turns mark tasks done).
        readOnlyPaths: [turn.fullPlanFile],
      });
      const client = new Anthropic({
        apiKey: this.#apiKey,
        baseURL: this.#baseURL,
        maxRetries: this.options.maxRetries ?? 2,
        timeout: Math.min(timeoutSec * 1000, 10 * 60 * 1000),
      });
      const system = systemPrompt(tools.tree.root, c.allowCommands);
      const definitions = tools.definitions();
      const messages: MessageParam[] = [{ role: 'user', content: turn.prompt }];
      log.line(
        `[anthropic] model ${c.model}, up to ${c.maxToolRounds} tool rounds, commands: ${c.allowCommands.join(', ') || 'none'}`,
      );

      ending = await (async (): Promise<Ending> => {
        for (;;) {
          if (abort.signal.aborted) return timedOut ? { kind: 'timeout' } : { kind: 'cancelled' };
          requests++;
          const stream = client.messages.stream(
            {
              model: c.model,
              max_tokens: c.maxTokens,
              system: [{ type: 'text', text: system, cache_control: { type: 'ephemeral' } }],
              tools: definitions,
              messages: withCacheBreakpoint(messages),
            },
            { signal: abort.signal },
          );
          stream.on('text', (delta) => log.write(delta));
          const message = await stream.finalMessage();
          const callUsage: LlmUsage = usageFromApi(message.usage);
          usage = addUsage(usage, callUsage);
          costUsd += estimateCostUsd(message.model || c.model, callUsage);
          messages.push({ role: 'assistant', content: message.content });
          if (c.maxTurnCostUsd !== undefined && costUsd > c.maxTurnCostUsd)
            return {
              kind: 'failed',
              error: `the turn was stopped: its cost ~$${costUsd.toFixed(4)} passed the hard ceiling of $${c.maxTurnCostUsd} (maxTurnCostUsd)`,
            };

          const calls = message.content.filter((b): b is ToolUseBlock => b.type === 'tool_use');
          switch (message.stop_reason) {
            case 'tool_use': {
              if (!calls.length) return { kind: 'done' };
              if (rounds >= c.maxToolRounds)
                return {
                  kind: 'failed',
                  error: `the tool-round budget of ${c.maxToolRounds} was exhausted before the model finished (maxToolRounds)`,
                };
              rounds++;
              const results: ToolResultBlockParam[] = [];
              for (const call of calls) {
                const r = await tools.execute(call.name, call.input, abort.signal);
                log.line(
                  `[tool] ${call.name} ${describeToolCall(call.name, call.input)} → ${r.isError ? 'error: ' : ''}${r.summary}`,
                );
                results.push({
                  type: 'tool_result',
                  tool_use_id: call.id,
                  content: r.content,
                  ...(r.isError ? { is_error: true } : {}),
                });
              }
              messages.push({ role: 'user', content: results });
              continue;
            }
            case 'pause_turn':
              continue; // the API paused a long turn: sending the conversation back resumes it
            case 'end_turn':
            case 'stop_sequence':
              return { kind: 'done' };
            case 'max_tokens':
              return {
                kind: 'failed',
                error: `the model's response was cut off at maxTokens (${c.maxTokens}); raise execution.agent.maxTokens`,
              };
            case 'refusal':
              return { kind: 'failed', error: 'the model declined to continue (stop reason: refusal)' };
            default:
              return {
                kind: 'failed',
                error: `the model stopped with ${message.stop_reason ?? 'no stop reason'}`,
              };
          }
        }
      })();
    } catch (e) {
      ending = timedOut
        ? { kind: 'timeout' }
        : hooks.signal?.aborted
          ? { kind: 'cancelled' }
          : { kind: 'failed', error: this.redact(describeError(e)) };
    } finally {
      clearTimeout(timer);
      hooks.signal?.removeEventListener('abort', onCancel);
    }

    const agentError =
      ending.kind === 'failed'
        ? ending.error
        : ending.kind === 'timeout'
          ? `the turn timed out after ${timeoutSec} s (${rounds} tool rounds)`
          : ending.kind === 'cancelled'
            ? 'the turn was cancelled'
            : null;
    log.line(
      `[anthropic] ${agentError ?? 'finished'}: ${rounds} tool rounds, ${requests} requests; tokens in ${usage.inputTokens} (cache read ${usage.cacheReadInputTokens}, write ${usage.cacheCreationInputTokens}), out ${usage.outputTokens}; ~$${costUsd.toFixed(4)}`,
    );
    return {
      exitCode: ending.kind === 'done' ? 0 : ending.kind === 'failed' ? 1 : null,
      signal: null,
      timedOut: ending.kind === 'timeout',
      startError: null,
      output: log.text,
      outputBytes: log.bytes,
      durationMs: Date.now() - started,
      agentError,
      usage: {
        inputTokens: usage.inputTokens,
        outputTokens: usage.outputTokens,
        cacheReadTokens: usage.cacheReadInputTokens,
        cacheCreationTokens: usage.cacheCreationInputTokens,
        costUsd,
        model: c.model,
      },
    };
  }

  /** API errors may quote the request; the key must never reach the turn output or events. */
  private redact(text: string): string {
    return this.#apiKey ? text.split(this.#apiKey).join('[redacted]') : text;
  }
}

function describeError(e: unknown): string {
  if (e instanceof APIError) {
    const status = e.status ? ` ${e.status}` : '';
    return `Anthropic API error${status}: ${e.apiMessage ?? e.message}`;
  }
  return `the agent loop failed: ${(e as Error)?.message ?? String(e)}`;
}
