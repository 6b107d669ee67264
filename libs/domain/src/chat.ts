import type { Aggregate } from './aggregate';
import type { LaunchRunParams } from './chat-run';
import { DomainError } from './errors';

/**
 * A chat session (seed 002's interactive mode) as an event-sourced aggregate: the conversation with
 * the orchestrating model, its tool calls and results, run approvals and the runs it launched. The
 * stream is the session: it is listed, resumed after any restart by folding it, and compacted by
 * recording a summary event; nothing is ever deleted.
 */

export type ChatBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> }
  | { type: 'tool_result'; tool_use_id: string; content: string; is_error?: boolean };

export interface ChatMessage {
  role: 'user' | 'assistant';
  content: ChatBlock[];
  at: string;
}

export interface ChatUsage {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  cacheCreationInputTokens: number;
  cacheReadInputTokens: number;
  costUsd: number;
}

export type TokenCounts = Omit<ChatUsage, 'calls' | 'costUsd'>;

export const emptyChatUsage = (): ChatUsage => ({
  calls: 0,
  inputTokens: 0,
  outputTokens: 0,
  cacheCreationInputTokens: 0,
  cacheReadInputTokens: 0,
  costUsd: 0,
});

export const addChatUsage = (a: ChatUsage, b: ChatUsage): ChatUsage => ({
  calls: a.calls + b.calls,
  inputTokens: a.inputTokens + b.inputTokens,
  outputTokens: a.outputTokens + b.outputTokens,
  cacheCreationInputTokens: a.cacheCreationInputTokens + b.cacheCreationInputTokens,
  cacheReadInputTokens: a.cacheReadInputTokens + b.cacheReadInputTokens,
  costUsd: a.costUsd + b.costUsd,
});

export type RunStatus =
  'planning' | 'planned' | 'running' | 'paused' | 'completed' | 'failed' | 'cancelled' | 'stopped' | 'error';

/** What a run came to, as given back to the model (and shown to the user). */
export interface RunResult {
  status: RunStatus;
  summary: string;
  tasks: Array<{
    id: string;
    title: string;
    status: string;
    commit: string | null;
    lastError: string | null;
  }>;
  commits: string[];
  failures: string[];
  usage: ChatUsage;
}

export interface ChatRun {
  runId: string;
  callId: string;
  planId: string;
  params: LaunchRunParams;
  status: RunStatus;
  sessionId: string | null;
  launchedAt: string;
  endedAt: string | null;
  result: RunResult | null;
}

export interface PendingApproval {
  callId: string;
  params: LaunchRunParams;
  /** Why the user is asked: every run needs approval, or the run may exceed the budget. */
  reason: 'approval' | 'budget';
  estimateUsd: number;
}

export interface ApprovalDecision {
  decision: 'approve' | 'edit' | 'cancel';
  params: LaunchRunParams | null;
}

export interface ChatSessionState {
  exists: boolean;
  sessionId: string;
  /** Events folded so far (the revision clients see). */
  revision: number;
  createdAt: string;
  updatedAt: string;
  project: string | null;
  repository: string | null;
  model: string;
  /** The whole conversation, oldest first (compaction summarises, never removes). */
  messages: ChatMessage[];
  /** The latest compaction: messages before `through` are replaced by `summary` when calling the model. */
  compaction: { summary: string; through: number; at: string } | null;
  pending: PendingApproval | null;
  /** Resolved approvals by tool call id. */
  approvals: Record<string, ApprovalDecision>;
  runs: Record<string, ChatRun>;
  runOrder: string[];
  /** The conversation's own model calls (the chat and its compactions). */
  usage: ChatUsage;
  /** The prompt size (uncached + cached input tokens) the last chat call reported; null after a compaction. */
  lastPromptTokens: number | null;
}

export const CHAT_SESSION_ID_PATTERN = /^c_[a-z0-9]{12}$/;
export const chatSessionStreamId = (id: string) => `chat-${id}`;
export const CHAT_INDEX_STREAM = 'chat-sessions';

export type ChatCommand =
  | {
      type: 'StartChatSession';
      sessionId: string;
      project: string | null;
      repository: string | null;
      model: string;
      at: string;
    }
  | { type: 'AddUserMessage'; text: string; at: string }
  | { type: 'AddAssistantMessage'; content: ChatBlock[]; usage: ChatUsage; model: string; at: string }
  | { type: 'AddToolResult'; callId: string; content: string; isError: boolean; at: string }
  | { type: 'RequestRunApproval'; approval: PendingApproval; at: string }
  | { type: 'ResolveRunApproval'; callId: string; decision: ApprovalDecision; at: string }
  | { type: 'LaunchRun'; runId: string; callId: string; planId: string; params: LaunchRunParams; at: string }
  | { type: 'RecordRunSession'; runId: string; sessionId: string }
  | { type: 'EndRun'; runId: string; result: RunResult; at: string }
  | { type: 'CompactConversation'; summary: string; through: number; usage: ChatUsage; at: string };

export type ChatEvent =
  | {
      type: 'ChatSessionStarted';
      data: {
        sessionId: string;
        project: string | null;
        repository: string | null;
        model: string;
        at: string;
      };
    }
  | { type: 'UserMessageAdded'; data: { text: string; at: string } }
  | {
      type: 'AssistantMessageAdded';
      data: { content: ChatBlock[]; usage: ChatUsage; model: string; at: string };
    }
  | { type: 'ToolResultAdded'; data: { callId: string; content: string; isError: boolean; at: string } }
  | { type: 'RunApprovalRequested'; data: PendingApproval & { at: string } }
  | { type: 'RunApprovalResolved'; data: ApprovalDecision & { callId: string; at: string } }
  | {
      type: 'RunLaunched';
      data: { runId: string; callId: string; planId: string; params: LaunchRunParams; at: string };
    }
  | { type: 'RunSessionStarted'; data: { runId: string; sessionId: string } }
  | { type: 'RunEnded'; data: { runId: string; result: RunResult; at: string } }
  | {
      type: 'ConversationCompacted';
      data: { summary: string; through: number; usage: ChatUsage; at: string };
    };

export function initialChatState(): ChatSessionState {
  return {
    exists: false,
    sessionId: '',
    revision: 0,
    createdAt: '',
    updatedAt: '',
    project: null,
    repository: null,
    model: '',
    messages: [],
    compaction: null,
    pending: null,
    approvals: {},
    runs: {},
    runOrder: [],
    usage: emptyChatUsage(),
    lastPromptTokens: null,
  };
}

/** Tool calls of the last assistant message that have no result yet. */
export function unansweredToolCalls(
  state: ChatSessionState,
): Array<Extract<ChatBlock, { type: 'tool_use' }>> {
  const lastAssistant = state.messages.map((m) => m.role).lastIndexOf('assistant');
  if (lastAssistant < 0) return [];
  const answered = new Set(
    state.messages
      .slice(lastAssistant + 1)
      .flatMap((m) => m.content)
      .flatMap((b) => (b.type === 'tool_result' ? [b.tool_use_id] : [])),
  );
  return state.messages[lastAssistant].content.flatMap((b) =>
    b.type === 'tool_use' && !answered.has(b.id) ? [b] : [],
  );
}

/** The run a tool call launched, if any. */
export const runOfCall = (state: ChatSessionState, callId: string): ChatRun | null =>
  Object.values(state.runs).find((r) => r.callId === callId) ?? null;

/** The total cost of the runs the session launched. */
export const runsUsage = (state: ChatSessionState): ChatUsage =>
  state.runOrder.reduce(
    (total, id) => addChatUsage(total, state.runs[id].result?.usage ?? emptyChatUsage()),
    emptyChatUsage(),
  );

/** A short preview of the last thing said (user or assistant text). */
export function lastMessagePreview(state: ChatSessionState, max = 120): string {
  for (let i = state.messages.length - 1; i >= 0; i--) {
    const text = state.messages[i].content
      .flatMap((b) => (b.type === 'text' ? [b.text] : []))
      .join(' ')
      .replace(/\s+/g, ' ')
      .trim();
    if (text) return text.length > max ? `${text.slice(0, max - 1)}…` : text;
  }
  return '';
}

const refuse = (message: string): never => {
  throw new DomainError('invalid_command', message);
};
/** A command that does not fit the session's state now (409). */
const conflict = (message: string): never => {
  throw new DomainError('invalid_transition', message);
};

function appendToUser(messages: ChatMessage[], block: ChatBlock, at: string): ChatMessage[] {
  const last = messages[messages.length - 1];
  // Tool results of one assistant turn go back in one user message, as the Messages API wants.
  if (
    last?.role === 'user' &&
    last.content.every((b) => b.type === 'tool_result') &&
    block.type === 'tool_result'
  )
    return [...messages.slice(0, -1), { ...last, content: [...last.content, block] }];
  return [...messages, { role: 'user', content: [block], at }];
}

function evolveChat(state: ChatSessionState, event: ChatEvent): ChatSessionState {
  const s: ChatSessionState = { ...state, revision: state.revision + 1 };
  const at = (event.data as { at?: string }).at;
  if (at) s.updatedAt = at;
  switch (event.type) {
    case 'ChatSessionStarted':
      return { ...s, exists: true, ...event.data, createdAt: event.data.at };
    case 'UserMessageAdded':
      return {
        ...s,
        messages: appendToUser(s.messages, { type: 'text', text: event.data.text }, event.data.at),
      };
    case 'AssistantMessageAdded':
      return {
        ...s,
        messages: [...s.messages, { role: 'assistant', content: event.data.content, at: event.data.at }],
        usage: addChatUsage(s.usage, event.data.usage),
        lastPromptTokens:
          event.data.usage.inputTokens +
          event.data.usage.cacheReadInputTokens +
          event.data.usage.cacheCreationInputTokens,
      };
    case 'ToolResultAdded': {
      const block: ChatBlock = {
        type: 'tool_result',
        tool_use_id: event.data.callId,
        content: event.data.content,
      };
      if (event.data.isError) block.is_error = true;
      return { ...s, messages: appendToUser(s.messages, block, event.data.at) };
    }
    case 'RunApprovalRequested': {
      const { at: _at, ...pending } = event.data;
      return { ...s, pending };
    }
    case 'RunApprovalResolved': {
      const { callId, decision, params } = event.data;
      return { ...s, pending: null, approvals: { ...s.approvals, [callId]: { decision, params } } };
    }
    case 'RunLaunched': {
      const { runId, callId, planId, params, at: launchedAt } = event.data;
      const run: ChatRun = {
        runId,
        callId,
        planId,
        params,
        status: 'planning',
        sessionId: null,
        launchedAt,
        endedAt: null,
        result: null,
      };
      return { ...s, runs: { ...s.runs, [runId]: run }, runOrder: [...s.runOrder, runId] };
    }
    case 'RunSessionStarted': {
      const run = s.runs[event.data.runId];
      return {
        ...s,
        runs: { ...s.runs, [run.runId]: { ...run, status: 'running', sessionId: event.data.sessionId } },
      };
    }
    case 'RunEnded': {
      const run = s.runs[event.data.runId];
      const ended = {
        ...run,
        status: event.data.result.status,
        endedAt: event.data.at,
        result: event.data.result,
      };
      return { ...s, runs: { ...s.runs, [run.runId]: ended } };
    }
    case 'ConversationCompacted':
      return {
        ...s,
        compaction: { summary: event.data.summary, through: event.data.through, at: event.data.at },
        usage: addChatUsage(s.usage, event.data.usage),
        lastPromptTokens: null,
      };
  }
}

/** Where a compaction may cut: before a user message that is the user's text, not tool results. */
export const isTurnStart = (state: ChatSessionState, index: number): boolean =>
  state.messages[index]?.role === 'user' && state.messages[index].content.some((b) => b.type === 'text');

function decideChat(command: ChatCommand, state: ChatSessionState): ChatEvent[] {
  if (command.type === 'StartChatSession') {
    if (state.exists) refuse(`chat session ${state.sessionId} exists already`);
    const { type: _t, ...data } = command;
    return [{ type: 'ChatSessionStarted', data }];
  }
  const open = unansweredToolCalls(state);
  switch (command.type) {
    case 'AddUserMessage':
      if (state.pending)
        conflict(`run ${state.pending.callId} waits for approval: approve, edit or cancel it first`);
      if (open.length) conflict(`tool calls ${open.map((u) => u.id).join(', ')} have no result yet`);
      if (!command.text.trim()) refuse('the message is empty');
      return [{ type: 'UserMessageAdded', data: { text: command.text, at: command.at } }];
    case 'AddAssistantMessage': {
      if (open.length) refuse('the last tool calls have no result yet');
      const { type: _t, ...data } = command;
      return [{ type: 'AssistantMessageAdded', data }];
    }
    case 'AddToolResult':
      if (!open.some((u) => u.id === command.callId)) refuse(`no open tool call ${command.callId}`);
      if (state.pending?.callId === command.callId) refuse(`tool call ${command.callId} waits for approval`);
      return [
        {
          type: 'ToolResultAdded',
          data: {
            callId: command.callId,
            content: command.content,
            isError: command.isError,
            at: command.at,
          },
        },
      ];
    case 'RequestRunApproval':
      if (state.pending) conflict(`run ${state.pending.callId} waits for approval already`);
      if (!open.some((u) => u.id === command.approval.callId))
        refuse(`no open tool call ${command.approval.callId}`);
      return [{ type: 'RunApprovalRequested', data: { ...command.approval, at: command.at } }];
    case 'ResolveRunApproval':
      if (state.pending?.callId !== command.callId)
        throw new DomainError('invalid_transition', `no run waits for approval as ${command.callId}`);
      if (command.decision.decision === 'edit' && !command.decision.params) refuse('edit needs params');
      return [
        {
          type: 'RunApprovalResolved',
          data: { ...command.decision, callId: command.callId, at: command.at },
        },
      ];
    case 'LaunchRun': {
      if (state.runs[command.runId]) refuse(`run ${command.runId} exists already`);
      if (runOfCall(state, command.callId)) refuse(`tool call ${command.callId} launched a run already`);
      const { type: _t, ...data } = command;
      return [{ type: 'RunLaunched', data }];
    }
    case 'RecordRunSession':
      if (!state.runs[command.runId]) refuse(`no run ${command.runId}`);
      return [{ type: 'RunSessionStarted', data: { runId: command.runId, sessionId: command.sessionId } }];
    case 'EndRun': {
      const run = state.runs[command.runId];
      if (!run) refuse(`no run ${command.runId}`);
      // Recorded already (a retried follow); a paused run recorded again when it ends otherwise.
      if (run.result?.status === command.result.status) return [];
      return [{ type: 'RunEnded', data: { runId: command.runId, result: command.result, at: command.at } }];
    }
    case 'CompactConversation':
      if (command.through <= (state.compaction?.through ?? 0) || !isTurnStart(state, command.through))
        refuse(`a compaction must end before a later user turn (got ${command.through})`);
      return [
        {
          type: 'ConversationCompacted',
          data: { summary: command.summary, through: command.through, usage: command.usage, at: command.at },
        },
      ];
  }
}

export const chatSessionAggregate: Aggregate<ChatCommand, ChatEvent, ChatSessionState> = {
  initialState: initialChatState,
  evolve: evolveChat,
  decide: decideChat,
  streamId: chatSessionStreamId,
  exists: (s) => s.exists,
  creates: (c) => c.type === 'StartChatSession',
  revision: (s) => s.revision,
};

// ---- the index of chat sessions: stream `chat-sessions` ----

export type ChatIndexCommand = { type: 'IndexChatSession'; id: string };
export type ChatIndexEvent = { type: 'ChatSessionIndexed'; data: { id: string } };

export const chatIndexAggregate: Aggregate<ChatIndexCommand, ChatIndexEvent, string[]> = {
  initialState: () => [],
  evolve: (ids, e) =>
    e.type === 'ChatSessionIndexed' && !ids.includes(e.data.id) ? [...ids, e.data.id] : ids,
  decide: (c, ids) => (ids.includes(c.id) ? [] : [{ type: 'ChatSessionIndexed', data: { id: c.id } }]),
  streamId: () => CHAT_INDEX_STREAM,
  exists: (ids) => ids.length > 0,
  creates: () => true,
  revision: () => 0,
};
