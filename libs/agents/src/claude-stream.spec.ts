import { endClaudeStream, feedClaudeStream, newClaudeStreamState } from './claude-stream';

// A transcript in the shape `claude -p --output-format stream-json --verbose` prints.
const transcript = [
  {
    type: 'system',
    subtype: 'init',
    session_id: 'sess-1',
    model: 'claude-sonnet-4-5',
    tools: ['Read', 'Edit'],
  },
  {
    type: 'assistant',
    message: {
      content: [
        { type: 'text', text: 'I will add the model.' },
        { type: 'tool_use', id: 't1', name: 'Edit', input: { file_path: 'src/model.ts' } },
      ],
    },
  },
  { type: 'user', message: { content: [{ type: 'tool_result', tool_use_id: 't1', content: 'ok' }] } },
  {
    type: 'assistant',
    message: { content: [{ type: 'tool_use', id: 't2', name: 'Bash', input: { command: 'npm test' } }] },
  },
  {
    type: 'result',
    subtype: 'success',
    is_error: false,
    num_turns: 3,
    total_cost_usd: 0.0123,
    session_id: 'sess-1',
    result: 'Done.',
    usage: {
      input_tokens: 1200,
      output_tokens: 300,
      cache_read_input_tokens: 800,
      cache_creation_input_tokens: 100,
    },
  },
]
  .map((m) => JSON.stringify(m))
  .join('\n');

describe('claude stream-json parsing', () => {
  it('turns the stream into readable lines and a turn summary, across arbitrary chunk boundaries', () => {
    const state = newClaudeStreamState();
    const lines: string[] = [];
    for (let i = 0; i < transcript.length; i += 37)
      lines.push(...feedClaudeStream(state, transcript.slice(i, i + 37)));
    lines.push(...endClaudeStream(state));
    expect(lines).toEqual([
      '[claude] session sess-1 (model claude-sonnet-4-5)',
      'I will add the model.',
      '[tool] Edit src/model.ts',
      '[tool] Bash npm test',
      '[result] success after 3 turns',
    ]);
    expect(state.summary).toEqual({
      sessionId: 'sess-1',
      finished: true,
      isError: false,
      apiErrorStatus: null,
      credentialsRefused: null,
      numTurns: 3,
      costUsd: 0.0123,
      model: 'claude-sonnet-4-5',
      usage: { inputTokens: 1200, outputTokens: 300, cacheReadTokens: 800, cacheCreationTokens: 100 },
      result: 'Done.',
      toolCalls: 2,
    });
  });

  it('marks an error result and passes non-protocol lines through', () => {
    const state = newClaudeStreamState();
    const lines = feedClaudeStream(
      state,
      'warning: something\n{"type":"result","subtype":"error_max_turns","is_error":false,"num_turns":30}\n',
    );
    expect(lines).toEqual(['warning: something', '[result] error after 30 turns']);
    expect(state.summary.isError).toBe(true);
  });

  it('describes retries and refused tool calls, and notes refused credentials', () => {
    const state = newClaudeStreamState();
    const lines = feedClaudeStream(
      state,
      [
        {
          type: 'system',
          subtype: 'api_retry',
          attempt: 1,
          max_retries: 10,
          retry_delay_ms: 518,
          error_status: 429,
          error: 'rate_limit',
        },
        {
          type: 'system',
          subtype: 'permission_denied',
          tool_name: 'Write',
          decision_reason: 'Path is outside allowed working directories',
        },
        {
          type: 'system',
          subtype: 'api_retry',
          attempt: 2,
          max_retries: 10,
          retry_delay_ms: 1000,
          error_status: 401,
          error: 'authentication_failed',
        },
      ]
        .map((l) => JSON.stringify(l))
        .join('\n') + '\n',
    );
    expect(lines).toEqual([
      '[api] 429 rate_limit: retry 1 of 10 in 518 ms',
      '[denied] Write: Path is outside allowed working directories',
      '[api] 401 authentication_failed: retry 2 of 10 in 1000 ms',
    ]);
    expect(state.summary.credentialsRefused).toEqual({ status: 401, error: 'authentication_failed' });
    expect(state.summary.finished).toBe(false);
  });
});
