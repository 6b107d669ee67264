/**
 * Parses the `claude -p --output-format stream-json` protocol: one JSON object per line
 * (`system` init, `assistant`/`user` messages with text and tool_use blocks, a final `result`).
 * Pure, so the runner can turn a raw stream into readable progress and a turn summary.
 */
export interface ClaudeTurnSummary {
  sessionId: string | null;
  /** A final `result` message arrived (the CLI finished the turn, well or not). */
  finished: boolean;
  isError: boolean;
  /** The HTTP status of the API error that ended the turn (the result's `api_error_status`). */
  apiErrorStatus: number | null;
  /**
   * The API refused the credentials (401/403) and the CLI is about to retry: retrying cannot help
   * with an API key, so the runner stops the turn at once.
   */
  credentialsRefused: { status: number; error: string } | null;
  numTurns: number | null;
  costUsd: number | null;
  /** From the `system` init line. */
  model: string | null;
  usage: {
    inputTokens: number;
    outputTokens: number;
    cacheReadTokens: number;
    cacheCreationTokens: number;
  } | null;
  result: string | null;
  toolCalls: number;
}

export interface ClaudeStreamState {
  buffer: string;
  summary: ClaudeTurnSummary;
}

export const newClaudeStreamState = (): ClaudeStreamState => ({
  buffer: '',
  summary: {
    sessionId: null,
    finished: false,
    isError: false,
    apiErrorStatus: null,
    credentialsRefused: null,
    numTurns: null,
    costUsd: null,
    model: null,
    usage: null,
    result: null,
    toolCalls: 0,
  },
});

/** Feeds a chunk of stdout; returns readable lines for the live log (text, tool calls, result). */
export function feedClaudeStream(state: ClaudeStreamState, chunk: string): string[] {
  state.buffer += chunk;
  const lines = state.buffer.split('\n');
  state.buffer = lines.pop() ?? '';
  const out: string[] = [];
  for (const line of lines) out.push(...describeLine(state, line));
  return out;
}

/** Flushes a last line that had no newline. */
export function endClaudeStream(state: ClaudeStreamState): string[] {
  const rest = state.buffer;
  state.buffer = '';
  return rest.trim() ? describeLine(state, rest) : [];
}

function describeLine(state: ClaudeStreamState, line: string): string[] {
  const trimmed = line.trim();
  if (!trimmed) return [];
  let msg: any;
  try {
    msg = JSON.parse(trimmed);
  } catch {
    return [trimmed]; // not protocol: pass through (e.g. a warning printed by the CLI)
  }
  switch (msg?.type) {
    case 'system':
      if (msg.session_id) state.summary.sessionId = msg.session_id;
      if (typeof msg.model === 'string') state.summary.model = msg.model;
      return describeSystem(state, msg);
    case 'assistant': {
      const out: string[] = [];
      for (const block of msg.message?.content ?? []) {
        if (block?.type === 'text' && block.text) out.push(String(block.text));
        else if (block?.type === 'tool_use') {
          state.summary.toolCalls++;
          out.push(`[tool] ${block.name}${toolHint(block.input)}`);
        }
      }
      return out;
    }
    case 'result': {
      const u = msg.usage ?? {};
      state.summary = {
        ...state.summary,
        sessionId: msg.session_id ?? state.summary.sessionId,
        finished: true,
        isError: Boolean(msg.is_error) || (typeof msg.subtype === 'string' && msg.subtype !== 'success'),
        apiErrorStatus: typeof msg.api_error_status === 'number' ? msg.api_error_status : null,
        numTurns: typeof msg.num_turns === 'number' ? msg.num_turns : null,
        costUsd: typeof msg.total_cost_usd === 'number' ? msg.total_cost_usd : null,
        usage: {
          inputTokens: u.input_tokens ?? 0,
          outputTokens: u.output_tokens ?? 0,
          cacheReadTokens: u.cache_read_input_tokens ?? 0,
          cacheCreationTokens: u.cache_creation_input_tokens ?? 0,
        },
        result: typeof msg.result === 'string' ? msg.result : null,
      };
      return [`[result] ${state.summary.isError ? 'error' : 'success'} after ${msg.num_turns ?? '?'} turns`];
    }
    default:
      return [];
  }
}

function describeSystem(state: ClaudeStreamState, msg: any): string[] {
  switch (msg.subtype) {
    case 'init':
      return [`[claude] session ${msg.session_id ?? '?'} (model ${msg.model ?? '?'})`];
    case 'api_retry': {
      const status = typeof msg.error_status === 'number' ? msg.error_status : null;
      const error = typeof msg.error === 'string' ? msg.error : 'error';
      if ((status === 401 || status === 403) && !state.summary.credentialsRefused)
        state.summary.credentialsRefused = { status, error };
      return [
        `[api] ${status ?? 'request'} ${error}: retry ${msg.attempt ?? '?'} of ${msg.max_retries ?? '?'} in ${msg.retry_delay_ms ?? '?'} ms`,
      ];
    }
    case 'permission_denied':
      return [
        `[denied] ${msg.tool_name ?? 'tool'}: ${msg.decision_reason ?? msg.message ?? 'not permitted'}`,
      ];
    default:
      return [];
  }
}

function toolHint(input: unknown): string {
  if (!input || typeof input !== 'object') return '';
  const i = input as Record<string, unknown>;
  const hint = i.file_path ?? i.path ?? i.command ?? i.pattern;
  return typeof hint === 'string' ? ` ${hint.slice(0, 120)}` : '';
}
