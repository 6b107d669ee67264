import { randomUUID } from 'node:crypto';
import Anthropic from '@anthropic-ai/sdk';
import { estimateCostUsd, usageFromApi } from './pricing';
import {
  LlmOutputError,
  LlmUnavailableError,
  type LlmCallRecord,
  type LlmConfig,
  type LlmPort,
  type StructuredRequest,
  type StructuredResult,
} from './port';
import type {
  ConversationBlock,
  ConversationLlm,
  ConversationRequest,
  ConversationTurn,
} from './conversation';
import { StreamObserver } from './stream-observer';
import { toolInputSchema } from './tool-schema';
import { checkOutcome, outcomeFromMessage, outcomeFromObserved, repairTurn, type Outcome } from './turns';

export interface AnthropicLlmOptions {
  /** Where fallbacks and retries are reported; nothing is logged by default. */
  logger?: { warn(message: string): void };
  /** Delay before retrying a stream that failed after it started (default 0.5 s doubling, at most 8 s). */
  streamRetryDelayMs?: (attempt: number) => number;
  now?: () => number;
}

const DEFAULT_BASE_URL = 'https://api.anthropic.com';
/** A local fake or proxy does not check the key, but the SDK insists on having one. */
const PLACEHOLDER_KEY = 'placeholder-key-for-custom-base-url';

/**
 * LlmPort on the Anthropic Messages API. Structured output is a tool call: the zod schema becomes
 * the tool's input_schema, the answer is validated, and one repair turn quotes the errors back.
 *
 * Retries: the SDK retries 408/409/429/5xx (529 overloaded included) and connection failures with
 * exponential backoff that honours retry-after (`maxRetries`); errors that arrive inside an
 * already-started stream are retried here.
 */
export class AnthropicLlm implements LlmPort, ConversationLlm {
  readonly model: string;
  private readonly client: Anthropic | null;
  private readonly logger: { warn(message: string): void };
  private readonly now: () => number;
  private readonly streamRetryDelayMs: (attempt: number) => number;
  /**
   * Forced tool choice (with thinking disabled, which forced tool use requires) is the sure way to
   * get the tool call. Models that refuse it answer 400; then this instance offers the tool with
   * `tool_choice: auto`, relying on the instructions and the repair turn.
   */
  private forceTool = true;

  constructor(
    private readonly config: LlmConfig,
    options: AnthropicLlmOptions = {},
  ) {
    this.model = config.model;
    this.logger = options.logger ?? { warn: () => undefined };
    this.now = options.now ?? Date.now;
    this.streamRetryDelayMs = options.streamRetryDelayMs ?? ((n) => Math.min(500 * 2 ** n, 8000));
    this.client =
      config.apiKey || config.baseURL
        ? new Anthropic({
            apiKey: config.apiKey ?? PLACEHOLDER_KEY,
            // Explicit, so a stray ANTHROPIC_BASE_URL in the environment cannot redirect the key.
            baseURL: config.baseURL ?? DEFAULT_BASE_URL,
            maxRetries: config.maxRetries,
            timeout: config.timeoutMs,
          })
        : null;
  }

  async structured<T>(request: StructuredRequest<T>): Promise<StructuredResult<T>> {
    if (!this.client) {
      throw new LlmUnavailableError(
        'ANTHROPIC_API_KEY is not set: set it to plan with Claude (or set ANTHROPIC_BASE_URL for a local server)',
        null,
      );
    }
    const maxTokens = request.maxTokens ?? this.config.maxTokens;
    const conversation: Anthropic.MessageParam[] = [{ role: 'user', content: request.prompt }];
    const calls: LlmCallRecord[] = [];

    const first = await this.call(this.client, request, conversation, false);
    calls.push(first.record);
    const checked = checkOutcome(first.outcome, request.toolName, request.schema, maxTokens);
    if (checked.ok) return { value: checked.value, calls };

    this.logger.warn(
      `${request.purpose}: invalid ${request.toolName} output, asking once more: ${checked.issues.slice(0, 5).join('; ')}`,
    );
    conversation.push(
      { role: 'assistant', content: first.outcome.content },
      repairTurn(request.toolName, first.outcome, checked.issues),
    );
    const second = await this.call(this.client, request, conversation, true);
    calls.push(second.record);
    const rechecked = checkOutcome(second.outcome, request.toolName, request.schema, maxTokens);
    if (rechecked.ok) return { value: rechecked.value, calls };

    throw new LlmOutputError(
      `${request.purpose}: Claude's ${request.toolName} output is still invalid after a repair turn ` +
        `(${rechecked.issues.length} issue${rechecked.issues.length === 1 ? '' : 's'}): ${rechecked.issues.slice(0, 5).join('; ')}`,
      rechecked.issues,
      calls,
    );
  }

  /**
   * One turn of a conversation with tools (the chat): streamed, text pieces reported as they come,
   * the answer's text and tool calls returned with the call's usage. Retries like `structured`.
   */
  async converse(request: ConversationRequest): Promise<ConversationTurn> {
    if (!this.client) {
      throw new LlmUnavailableError(
        'ANTHROPIC_API_KEY is not set: set it to chat with Claude (or set ANTHROPIC_BASE_URL for a local server)',
        null,
      );
    }
    let streamRetries = 0;
    for (;;) {
      const started = this.now();
      try {
        const stream = this.client.messages.stream(
          {
            model: this.model,
            max_tokens: request.maxTokens ?? this.config.maxTokens,
            system: [{ type: 'text', text: request.system, cache_control: { type: 'ephemeral' } }],
            messages: request.messages as Anthropic.MessageParam[],
            tools: request.tools,
          },
          { signal: request.signal },
        );
        if (request.onText) stream.on('text', (delta) => request.onText!(delta));
        const message = await stream.finalMessage();
        const content: ConversationBlock[] = [];
        for (const block of message.content) {
          if (block.type === 'text' && block.text) content.push({ type: 'text', text: block.text });
          if (block.type === 'tool_use') {
            const input =
              block.input && typeof block.input === 'object' && !Array.isArray(block.input)
                ? (block.input as Record<string, unknown>)
                : {};
            content.push({ type: 'tool_use', id: block.id, name: block.name, input });
          }
        }
        return {
          content,
          stopReason: message.stop_reason,
          call: this.record(request, message.model || this.model, message.usage, started, false),
        };
      } catch (err) {
        if (
          isRetryableStreamError(err) &&
          streamRetries < this.config.maxRetries &&
          !request.signal?.aborted
        ) {
          const delay = this.streamRetryDelayMs(streamRetries++);
          this.logger.warn(
            this.redact(`${request.purpose}: the stream failed (${describe(err)}); retrying in ${delay} ms`),
          );
          await sleep(delay, request.signal);
          continue;
        }
        throw this.unavailable(err);
      }
    }
  }

  /** One streamed request (plus its retries), returning what came back and what it cost. */
  private async call<T>(
    client: Anthropic,
    request: StructuredRequest<T>,
    messages: Anthropic.MessageParam[],
    repaired: boolean,
  ): Promise<{ record: LlmCallRecord; outcome: Outcome }> {
    let streamRetries = 0;
    for (;;) {
      const started = this.now();
      const observer = new StreamObserver();
      try {
        const stream = client.messages.stream(this.params(request, messages), { signal: request.signal });
        stream.on('streamEvent', (event) => observer.add(event));
        const message = await stream.finalMessage();
        return {
          record: this.record(request, message.model || this.model, message.usage, started, repaired),
          outcome: outcomeFromMessage(message),
        };
      } catch (err) {
        if (isInvalidToolJson(err) && observer.blocks.some((b) => b?.type === 'tool_use')) {
          return {
            record: this.record(request, observer.model || this.model, observer.usage, started, repaired),
            outcome: outcomeFromObserved(observer),
          };
        }
        if (this.forceTool && isForcedToolRejected(err)) {
          this.forceTool = false;
          this.logger.warn(
            `${this.model} refuses forced tool use; offering the tool with tool_choice auto from now on`,
          );
          continue;
        }
        if (
          isRetryableStreamError(err) &&
          streamRetries < this.config.maxRetries &&
          !request.signal?.aborted
        ) {
          const delay = this.streamRetryDelayMs(streamRetries++);
          this.logger.warn(
            this.redact(`${request.purpose}: the stream failed (${describe(err)}); retrying in ${delay} ms`),
          );
          await sleep(delay, request.signal);
          continue;
        }
        throw this.unavailable(err);
      }
    }
  }

  private params<T>(
    request: StructuredRequest<T>,
    messages: Anthropic.MessageParam[],
  ): Anthropic.MessageStreamParams {
    const system: Anthropic.TextBlockParam[] = [
      {
        type: 'text',
        text: `${request.system}\n\nAnswer only by calling the ${request.toolName} tool with the complete input.`,
      },
    ];
    if (request.context) {
      // Breakpoint after the stable context: tools + instructions + context are cached, so the
      // repair turn and repeated calls over the same repository/plan read them from the cache.
      system.push({ type: 'text', text: request.context, cache_control: { type: 'ephemeral' } });
    }
    return {
      model: this.model,
      max_tokens: request.maxTokens ?? this.config.maxTokens,
      system,
      messages,
      tools: [
        {
          name: request.toolName,
          description: request.toolDescription,
          input_schema: toolInputSchema(request.schema),
        },
      ],
      ...(this.forceTool
        ? { tool_choice: { type: 'tool', name: request.toolName }, thinking: { type: 'disabled' } }
        : { tool_choice: { type: 'auto' } }),
    };
  }

  private record(
    request: { purpose: string },
    model: string,
    apiUsage: Parameters<typeof usageFromApi>[0],
    started: number,
    repaired: boolean,
  ): LlmCallRecord {
    const usage = usageFromApi(apiUsage);
    return {
      callId: randomUUID(),
      purpose: request.purpose,
      model,
      usage,
      costUsd: estimateCostUsd(model, usage),
      durationMs: Math.max(0, this.now() - started),
      repaired,
    };
  }

  /** Maps SDK errors to LlmUnavailableError; an abort by the caller stays what it is. */
  private unavailable(err: unknown): unknown {
    if (err instanceof Anthropic.APIUserAbortError) return err;
    const where = this.config.baseURL ?? DEFAULT_BASE_URL;
    if (err instanceof Anthropic.APIConnectionError) {
      return new LlmUnavailableError(
        this.redact(`cannot reach the Anthropic API at ${where}: ${describe(err)}`),
        null,
      );
    }
    if (err instanceof Anthropic.APIError) {
      const status = typeof err.status === 'number' ? err.status : null;
      const retried =
        status === 429 || (status !== null && status >= 500)
          ? ` after ${this.config.maxRetries} retries`
          : '';
      const hint = status === 401 || status === 403 ? ' — check ANTHROPIC_API_KEY' : '';
      return new LlmUnavailableError(
        this.redact(
          `the Anthropic API failed${retried}: ${status ?? 'stream error'} ${describe(err)}${hint}`,
        ),
        status,
      );
    }
    return err;
  }

  /** Error texts never carry the key, even if a proxy echoes it. */
  private redact(text: string): string {
    const key = this.config.apiKey;
    return key ? text.split(key).join('[redacted]') : text;
  }
}

function describe(err: unknown): string {
  if (err instanceof Anthropic.APIError) {
    const type = err.type ? `${err.type}: ` : '';
    return `${type}${err.apiMessage ?? err.message}`;
  }
  return err instanceof Error ? err.message : String(err);
}

/** The SDK rejects a message whose tool input is not JSON with an AnthropicError caused by a SyntaxError. */
function isInvalidToolJson(err: unknown): boolean {
  return (
    err instanceof Anthropic.AnthropicError &&
    !(err instanceof Anthropic.APIError) &&
    err.cause instanceof SyntaxError
  );
}

/** Models with always-on thinking (or none at all) refuse `tool_choice: tool` with a 400. */
function isForcedToolRejected(err: unknown): boolean {
  return (
    err instanceof Anthropic.BadRequestError &&
    /tool_choice|forced tool|thinking/i.test(err.apiMessage ?? err.message)
  );
}

/** An error event inside a stream that had already started: the SDK does not retry those. */
function isRetryableStreamError(err: unknown): boolean {
  return (
    err instanceof Anthropic.APIError &&
    !(err instanceof Anthropic.APIConnectionError) &&
    !(err instanceof Anthropic.APIUserAbortError) &&
    err.status === undefined &&
    (err.type === 'overloaded_error' || err.type === 'api_error')
  );
}

/** Resolves after ms, or at once on abort (the next request then fails with the SDK's abort error). */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
