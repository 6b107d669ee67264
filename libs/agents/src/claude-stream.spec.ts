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
      isError: false,
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
});
