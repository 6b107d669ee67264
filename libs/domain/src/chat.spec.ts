import {
  chatSessionAggregate as chat,
  lastMessagePreview,
  unansweredToolCalls,
  type ChatCommand,
  type ChatSessionState,
  type RunResult,
} from './chat';
import { coordinationOverridesSchema, executes, launchRunSchema, refines } from './chat-run';
import { DomainError } from './errors';

const at = '2026-12-03T12:00:00.000Z';
const usage = {
  calls: 1,
  inputTokens: 100,
  outputTokens: 10,
  cacheCreationInputTokens: 0,
  cacheReadInputTokens: 50,
  costUsd: 0.01,
};

function run(...commands: ChatCommand[]): ChatSessionState {
  let state = chat.initialState();
  for (const c of commands) for (const e of chat.decide(c, state)) state = chat.evolve(state, e);
  return state;
}
const start: ChatCommand = {
  type: 'StartChatSession',
  sessionId: 'c_000000000001',
  project: '/p',
  repository: null,
  model: 'm',
  at,
};
const user = (text: string): ChatCommand => ({ type: 'AddUserMessage', text, at });
const assistant = (
  ...content: Array<
    | { type: 'text'; text: string }
    | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> }
  >
): ChatCommand => ({
  type: 'AddAssistantMessage',
  content,
  usage,
  model: 'm',
  at,
});
const params = launchRunSchema.parse({ task: 'do it' });
const result = (status: RunResult['status']): RunResult => ({
  status,
  summary: status,
  tasks: [],
  commits: [],
  failures: [],
  usage,
});

describe('the chat session aggregate', () => {
  it('folds a conversation: messages, tool results grouped in one user message, usage, preview', () => {
    const s = run(
      start,
      user('hello'),
      assistant(
        { type: 'text', text: 'let me look' },
        { type: 'tool_use', id: 'a', name: 'list_runs', input: {} },
        { type: 'tool_use', id: 'b', name: 'list_runs', input: {} },
      ),
      { type: 'AddToolResult', callId: 'a', content: '[]', isError: false, at },
      { type: 'AddToolResult', callId: 'b', content: '[]', isError: true, at },
      assistant({ type: 'text', text: 'no runs yet' }),
    );
    expect(s.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(s.messages[2].content).toEqual([
      { type: 'tool_result', tool_use_id: 'a', content: '[]' },
      { type: 'tool_result', tool_use_id: 'b', content: '[]', is_error: true },
    ]);
    expect(s.usage).toMatchObject({ calls: 2, costUsd: 0.02 });
    expect(s.lastPromptTokens).toBe(150);
    expect(lastMessagePreview(s)).toBe('no runs yet');
    expect(s.revision).toBe(6);
  });

  it('refuses a user message while tool calls are open or a run waits for approval (409)', () => {
    const open = run(
      start,
      user('go'),
      assistant({ type: 'tool_use', id: 'x', name: 'launch_run', input: { task: 'do it' } }),
    );
    expect(unansweredToolCalls(open).map((u) => u.id)).toEqual(['x']);
    expect(() => chat.decide(user('again'), open)).toThrow(/no result yet/);
    const pending = run(
      start,
      user('go'),
      assistant({ type: 'tool_use', id: 'x', name: 'launch_run', input: { task: 'do it' } }),
      {
        type: 'RequestRunApproval',
        approval: { callId: 'x', params, reason: 'approval', estimateUsd: 1 },
        at,
      },
    );
    try {
      chat.decide(user('again'), pending);
      throw new Error('not refused');
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      expect((e as DomainError).code).toBe('invalid_transition');
    }
    // The pending call cannot be answered until it is resolved.
    expect(() =>
      chat.decide({ type: 'AddToolResult', callId: 'x', content: '', isError: false, at }, pending),
    ).toThrow(/waits for approval/);
    const resolved = run(
      start,
      user('go'),
      assistant({ type: 'tool_use', id: 'x', name: 'launch_run', input: { task: 'do it' } }),
      {
        type: 'RequestRunApproval',
        approval: { callId: 'x', params, reason: 'approval', estimateUsd: 1 },
        at,
      },
      { type: 'ResolveRunApproval', callId: 'x', decision: { decision: 'cancel', params: null }, at },
    );
    expect(resolved.pending).toBeNull();
    expect(resolved.approvals.x).toEqual({ decision: 'cancel', params: null });
    expect(() =>
      chat.decide(
        { type: 'ResolveRunApproval', callId: 'x', decision: { decision: 'approve', params: null }, at },
        resolved,
      ),
    ).toThrow(/no run waits/);
  });

  it('tracks runs: launched once per call, session, end; a paused run is recorded again when it ends otherwise', () => {
    const launched = run(
      start,
      user('go'),
      assistant({ type: 'tool_use', id: 'x', name: 'launch_run', input: {} }),
      { type: 'LaunchRun', runId: 'run_1', callId: 'x', planId: 'p_1', params, at },
      { type: 'RecordRunSession', runId: 'run_1', sessionId: 's_1' },
    );
    expect(launched.runs.run_1).toMatchObject({ status: 'running', sessionId: 's_1' });
    expect(() =>
      chat.decide({ type: 'LaunchRun', runId: 'run_2', callId: 'x', planId: 'p_2', params, at }, launched),
    ).toThrow(/launched a run already/);
    const paused = run(
      start,
      user('go'),
      assistant({ type: 'tool_use', id: 'x', name: 'launch_run', input: {} }),
      { type: 'LaunchRun', runId: 'run_1', callId: 'x', planId: 'p_1', params, at },
      { type: 'EndRun', runId: 'run_1', result: result('paused'), at },
    );
    expect(chat.decide({ type: 'EndRun', runId: 'run_1', result: result('paused'), at }, paused)).toEqual([]);
    const [ended] = chat.decide({ type: 'EndRun', runId: 'run_1', result: result('cancelled'), at }, paused);
    expect(chat.evolve(paused, ended).runs.run_1.status).toBe('cancelled');
  });

  it('compacts only before a later user turn, keeping every message', () => {
    const s = run(
      start,
      user('one'),
      assistant({ type: 'text', text: 'a' }),
      user('two'),
      assistant({ type: 'text', text: 'b' }),
    );
    expect(() =>
      chat.decide({ type: 'CompactConversation', summary: 's', through: 1, usage, at }, s),
    ).toThrow(/before a later user turn/);
    const compacted = run(
      start,
      user('one'),
      assistant({ type: 'text', text: 'a' }),
      user('two'),
      assistant({ type: 'text', text: 'b' }),
      {
        type: 'CompactConversation',
        summary: 'one was asked',
        through: 2,
        usage,
        at,
      },
    );
    expect(compacted.compaction).toMatchObject({ summary: 'one was asked', through: 2 });
    expect(compacted.messages).toHaveLength(4);
    expect(compacted.lastPromptTokens).toBeNull();
    expect(() =>
      chat.decide({ type: 'CompactConversation', summary: 's', through: 2, usage, at }, compacted),
    ).toThrow();
  });
});

describe('launch_run parameters', () => {
  it('fills the defaults of the seed: multi mode, refinement by mode, execution unless planning only', () => {
    const p = launchRunSchema.parse({ task: 'x' });
    expect(p).toMatchObject({
      agent_mode: 'multi',
      planning_mode: false,
      execute_after_planning: false,
      context_paths: [],
      agent_system_prompts: {},
    });
    expect(refines(p)).toBe(true);
    expect(refines(launchRunSchema.parse({ task: 'x', agent_mode: 'single' }))).toBe(false);
    expect(refines(launchRunSchema.parse({ task: 'x', agent_mode: 'multi', refinement: false }))).toBe(false);
    expect(executes(p)).toBe(true);
    expect(executes(launchRunSchema.parse({ task: 'x', planning_mode: true }))).toBe(false);
    expect(
      executes(launchRunSchema.parse({ task: 'x', planning_mode: true, execute_after_planning: true })),
    ).toBe(true);
  });

  it('refuses bad input with every problem named', () => {
    const r = launchRunSchema.safeParse({
      task: '',
      agent_mode: 'swarm',
      context_paths: [{ path: 'a', permission: 'delete' }],
      agents: ['a', 'b'],
      extra: 1,
    });
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(
      expect.arrayContaining(['task', 'agent_mode', 'context_paths.0.permission', 'agents', '']),
    );
  });

  it('coordination_overrides takes execution knobs and refuses run parameters and unknown keys', () => {
    expect(coordinationOverridesSchema.parse({ maxAttempts: 2, turnScope: 'chunk' })).toEqual({
      maxAttempts: 2,
      turnScope: 'chunk',
    });
    const refused = coordinationOverridesSchema.safeParse({
      context_paths: [],
      agent_system_prompts: {},
      colour: 'red',
    });
    expect(refused.error!.issues.map((i) => i.message)).toEqual([
      expect.stringMatching(/context_paths is a launch_run parameter/),
      expect.stringMatching(/agent_system_prompts is a launch_run parameter/),
      expect.stringMatching(/unknown override colour/),
    ]);
    expect(coordinationOverridesSchema.safeParse({ maxAttempts: 0 }).success).toBe(false);
  });
});
