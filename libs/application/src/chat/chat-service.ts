import { randomInt } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { z } from 'zod';
import {
  addChatUsage,
  CHAT_SESSION_ID_PATTERN,
  chatIndexAggregate,
  chatSessionAggregate,
  DomainError,
  emptyChatUsage,
  executes,
  isTurnStart,
  lastMessagePreview,
  launchRunSchema,
  runOfCall,
  runsUsage,
  unansweredToolCalls,
  cancelRunInputSchema,
  runIdInputSchema,
  type AgentConfig,
  type ChatBlock,
  type ChatCommand,
  type ChatEvent,
  type ChatRun,
  type ChatSessionState,
  type ChatUsage,
  type LaunchRunParams,
  type RunResult,
} from '@chunkwise/domain';
import type { EventStore } from '@chunkwise/event-store';
import type { ConversationLlm, ConversationMessage, LlmCallRecord, LlmPort } from '@chunkwise/llm';
import { formatIssues } from '@chunkwise/llm';
import { CommandHandler } from '../command-handler';
import { ChatRuns, type RunProgress } from './chat-runs';
import { CHAT_TOOLS, chatSystemPrompt, COMPACTION_SYSTEM } from './chat-prompt';
import { resolveContextPaths, type ResolvedContextPath } from './context-paths';
import { ProjectWorkspace } from './project-workspace';

/** What a chat turn reports as it goes (the API streams these as SSE, the terminal prints them). */
export type ChatStreamEvent =
  | { type: 'text'; text: string }
  | { type: 'tool_call'; callId: string; name: string; input: Record<string, unknown> }
  | { type: 'tool_result'; callId: string; name: string; content: string; isError: boolean }
  | {
      type: 'approval_required';
      callId: string;
      params: LaunchRunParams;
      reason: 'approval' | 'budget';
      estimateUsd: number;
    }
  | { type: 'run_launched'; runId: string; planId: string; callId: string }
  | ({ type: 'run_progress'; runId: string } & RunProgress)
  | { type: 'run_ended'; runId: string; result: RunResult }
  | { type: 'compacted'; through: number }
  | { type: 'usage'; conversation: ChatUsage; runs: ChatUsage }
  | { type: 'done'; reason: 'end_turn' | 'awaiting_approval' | 'max_rounds' };

export type Emit = (event: ChatStreamEvent) => void;

export interface ChatSettings {
  autoApprove: boolean;
  budgetUsd: number | null;
  compactTokens: number;
  keepMessages: number;
  runWaitSec: number;
  agents: Record<string, AgentConfig>;
}

export interface ChatServiceOptions {
  store: EventStore;
  runs: ChatRuns;
  /** The orchestrating model: conversation turns, and structured output for compaction. */
  llm: () => ConversationLlm & LlmPort;
  settings: ChatSettings;
  newPlanId: () => string;
  /** The path of a `repo:<id>` reference, to check context paths against. */
  resolveRepository: (reference: string) => Promise<string>;
  /** Model calls per chat turn at most (a model that keeps calling tools is stopped). Default 20. */
  maxRounds?: number;
}

export interface CreateChatSession {
  project?: string | null;
  repository?: string | null;
}

export interface ChatSessionSummary {
  id: string;
  createdAt: string;
  updatedAt: string;
  project: string | null;
  repository: string | null;
  lastMessage: string;
  messages: number;
  runs: number;
  pendingApproval: string | null;
  costUsd: number;
}

export class ChatSessionNotFoundError extends Error {
  constructor(readonly sessionId: string) {
    super(`chat session ${sessionId} not found`);
    this.name = 'ChatSessionNotFoundError';
  }
}

/** Another request is in a turn of this session (409). */
export class ChatBusyError extends Error {
  constructor(sessionId: string) {
    super(`chat session ${sessionId} is answering another message; wait for it to finish`);
    this.name = 'ChatBusyError';
  }
}

/** The API is shutting down: the turn stops without recording anything; the run goes on (503). */
export class ChatStoppingError extends Error {
  constructor() {
    super(
      'the API is shutting down; a run being followed goes on, and the chat follows it again when the session takes its next message',
    );
    this.name = 'ChatStoppingError';
  }
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const randomId = (prefix: string, n: number) => {
  let id = prefix;
  for (let i = 0; i < n; i++) id += ALPHABET[randomInt(ALPHABET.length)];
  return id;
};
const now = () => new Date().toISOString();
const usageOf = (call: LlmCallRecord): ChatUsage => ({ calls: 1, ...call.usage, costUsd: call.costUsd });
const summarySchema = z.object({ summary: z.string().min(1).max(100_000) });

/** Rough cost of a run when the session has none like it to go by (planning + execution). */
function defaultEstimate(p: LaunchRunParams): number {
  const planning = p.agent_mode === 'multi' ? 0.3 : 0.05;
  return planning + (executes(p) ? 1 : 0);
}

/**
 * The chat (seed 002): a conversation with the orchestrating model that answers directly or calls
 * tools — launch_run (approved by the user unless auto-approved), run_status, list_runs,
 * cancel_run, inspect_run. Every step is an event on the session's stream, so a session resumes
 * after any restart: an open tool call whose run was launched is followed again from the plan.
 */
export class ChatService {
  private readonly sessions: CommandHandler<ChatCommand, ChatEvent, ChatSessionState>;
  private readonly index: CommandHandler<
    { type: 'IndexChatSession'; id: string },
    { type: 'ChatSessionIndexed'; data: { id: string } },
    string[]
  >;
  private readonly busy = new Set<string>();
  /** Aborted when the API shuts down: turns stop where they are, open tool calls stay open. */
  private readonly stopping = new AbortController();
  private readonly maxRounds: number;

  constructor(private readonly o: ChatServiceOptions) {
    const notFound = (id: string) => new ChatSessionNotFoundError(id);
    this.sessions = new CommandHandler(o.store, chatSessionAggregate, { notFound });
    this.index = new CommandHandler(o.store, chatIndexAggregate, { notFound });
    this.maxRounds = o.maxRounds ?? 20;
  }

  /** Stops every turn in progress without recording anything (the API is shutting down). */
  stop(): void {
    this.stopping.abort();
  }

  get settings(): ChatSettings {
    return this.o.settings;
  }

  async create(request: CreateChatSession): Promise<ChatSessionState> {
    const project = request.project ?? null;
    if (project !== null) {
      if (!project.startsWith('/'))
        throw new DomainError('invalid_command', 'project must be an absolute path');
      await new ProjectWorkspace(project).ensure().catch((e: Error) => {
        throw new DomainError(
          'invalid_command',
          `project ${project}: cannot create the workspace (${e.message})`,
        );
      });
    }
    let repository = request.repository ?? null;
    if (repository === null && project !== null && (await isGitWorkTree(project))) repository = project;
    if (repository !== null) {
      const root = await this.o.resolveRepository(repository);
      if (!(await fs.stat(root).catch(() => null))?.isDirectory())
        throw new DomainError(
          'invalid_command',
          `repository ${repository} is not a directory on this machine`,
        );
    }
    const id = randomId('c_', 12);
    const result = await this.sessions.execute(id, {
      type: 'StartChatSession',
      sessionId: id,
      project,
      repository,
      model: this.o.llm().model,
      at: now(),
    });
    await this.index.execute(
      '',
      { type: 'IndexChatSession', id },
      { eventId: () => `chat-sessions-index-${id}` },
    );
    return result.state;
  }

  async get(id: string): Promise<ChatSessionState> {
    if (!CHAT_SESSION_ID_PATTERN.test(id)) throw new ChatSessionNotFoundError(id);
    const { state } = await this.sessions.load(id);
    if (!state.exists) throw new ChatSessionNotFoundError(id);
    return state;
  }

  /** Sessions, most recently active first. */
  async list(): Promise<ChatSessionSummary[]> {
    const { state: ids } = await this.index.load('');
    const states = await Promise.all(ids.map((id) => this.sessions.load(id).then((l) => l.state)));
    return states
      .filter((s) => s.exists)
      .map((s) => ({
        id: s.sessionId,
        createdAt: s.createdAt,
        updatedAt: s.updatedAt,
        project: s.project,
        repository: s.repository,
        lastMessage: lastMessagePreview(s),
        messages: s.messages.length,
        runs: s.runOrder.length,
        pendingApproval: s.pending?.callId ?? null,
        costUsd: s.usage.costUsd + runsUsage(s).costUsd,
      }))
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  }

  /** A user message, and the model's answer with every tool call it makes, until it ends its turn. */
  async send(id: string, text: string, emit: Emit, signal?: AbortSignal): Promise<ChatSessionState> {
    return this.exclusive(id, async () => {
      const state = await this.get(id);
      if (state.pending)
        throw new DomainError(
          'invalid_transition',
          `run ${state.pending.callId} waits for approval: POST /api/chat/sessions/${id}/approvals/${state.pending.callId} first`,
        );
      // A session resumed with a launched run still open: follow it to its tool result first.
      if (!(await this.answerOpenCalls(id, emit, signal))) return this.get(id);
      await this.write(id, { type: 'AddUserMessage', text, at: now() });
      await this.loop(id, emit, signal);
      return this.get(id);
    });
  }

  /** Resolves the pending approval (approve, edit with new parameters, or cancel), then the turn goes on. */
  async resolveApproval(
    id: string,
    callId: string,
    decision: 'approve' | 'edit' | 'cancel',
    params: unknown,
    emit: Emit,
    signal?: AbortSignal,
  ): Promise<ChatSessionState> {
    return this.exclusive(id, async () => {
      const state = await this.get(id);
      let edited: LaunchRunParams | null = null;
      if (decision === 'edit') {
        const parsed = launchRunSchema.safeParse(params);
        if (!parsed.success)
          throw new DomainError('invalid_command', `params: ${formatIssues(parsed.error.issues).join('; ')}`);
        edited = parsed.data;
        await this.contextPaths(state, edited);
      }
      await this.write(id, {
        type: 'ResolveRunApproval',
        callId,
        decision: { decision, params: edited },
        at: now(),
      });
      await this.loop(id, emit, signal);
      return this.get(id);
    });
  }

  /** Cancels a run of the session (the terminal's Ctrl-C, the dashboard); the model learns it from the result. */
  async cancelRun(id: string, runId: string, reason?: string): Promise<ChatRun> {
    const state = await this.get(id);
    const run = state.runs[runId];
    if (!run) throw new DomainError('invalid_command', `no run ${runId} in chat session ${id}`);
    await this.o.runs.cancel(run.planId, reason);
    return run;
  }

  private async exclusive<T>(id: string, work: () => Promise<T>): Promise<T> {
    if (this.busy.has(id)) throw new ChatBusyError(id);
    this.busy.add(id);
    try {
      return await work();
    } finally {
      this.busy.delete(id);
    }
  }

  private async write(id: string, command: ChatCommand): Promise<ChatSessionState> {
    return (await this.sessions.execute(id, command)).state;
  }

  /** Model turns until the model ends its turn, a run waits for approval, or the round limit. */
  private async loop(id: string, emit: Emit, signal?: AbortSignal): Promise<void> {
    for (let round = 0; ; round++) {
      if (!(await this.answerOpenCalls(id, emit, signal))) {
        emit({ type: 'done', reason: 'awaiting_approval' });
        return;
      }
      if (round >= this.maxRounds) {
        emit({ type: 'done', reason: 'max_rounds' });
        return;
      }
      if (this.stopping.signal.aborted) throw new ChatStoppingError();
      let state = await this.compactIfLong(await this.get(id), emit);
      const llm = this.o.llm();
      const turn = await llm.converse({
        purpose: 'chat',
        system: await this.systemPrompt(state),
        messages: modelMessages(state),
        tools: CHAT_TOOLS,
        onText: (text) => emit({ type: 'text', text }),
        signal,
      });
      const content: ChatBlock[] = turn.content.length
        ? turn.content
        : [{ type: 'text', text: '(no answer)' }];
      state = await this.write(id, {
        type: 'AddAssistantMessage',
        content,
        usage: usageOf(turn.call),
        model: turn.call.model,
        at: now(),
      });
      emit({ type: 'usage', conversation: state.usage, runs: runsUsage(state) });
      for (const b of content)
        if (b.type === 'tool_use') emit({ type: 'tool_call', callId: b.id, name: b.name, input: b.input });
      if (!content.some((b) => b.type === 'tool_use')) {
        emit({ type: 'done', reason: 'end_turn' });
        return;
      }
    }
  }

  /** Answers the open tool calls in order; false when one waits for the user's approval. */
  private async answerOpenCalls(id: string, emit: Emit, signal?: AbortSignal): Promise<boolean> {
    for (;;) {
      const state = await this.get(id);
      if (state.pending) return false;
      const [call] = unansweredToolCalls(state);
      if (!call) return true;
      const answer = await this.answer(state, call, emit, signal);
      if (answer === 'awaiting') return false;
      await this.write(id, {
        type: 'AddToolResult',
        callId: call.id,
        content: answer.content,
        isError: answer.isError,
        at: now(),
      });
      emit({ type: 'tool_result', callId: call.id, name: call.name, ...answer });
    }
  }

  private async answer(
    state: ChatSessionState,
    call: Extract<ChatBlock, { type: 'tool_use' }>,
    emit: Emit,
    signal?: AbortSignal,
  ): Promise<{ content: string; isError: boolean } | 'awaiting'> {
    const error = (message: string) => ({ content: message, isError: true });
    try {
      switch (call.name) {
        case 'launch_run':
          return await this.launchRun(state, call, emit, signal);
        case 'run_status': {
          const run = this.runOf(state, runIdInputSchema.parse(call.input).run_id);
          const result = await this.settle(state.sessionId, run);
          return { content: JSON.stringify(this.brief(run, result)), isError: false };
        }
        case 'list_runs': {
          const runs = state.runOrder.map((r) => state.runs[r]);
          return {
            content: JSON.stringify(
              runs.map((r) => ({
                run_id: r.runId,
                plan_id: r.planId,
                task: r.params.task.slice(0, 200),
                status: r.status,
                costUsd: r.result?.usage.costUsd ?? null,
              })),
            ),
            isError: false,
          };
        }
        case 'cancel_run': {
          const input = cancelRunInputSchema.parse(call.input);
          const run = this.runOf(state, input.run_id);
          await this.o.runs.cancel(run.planId, input.reason);
          await this.o.runs.follow(
            run.planId,
            () => undefined,
            30_000,
            signal,
            (status) => ['completed', 'failed', 'cancelled', 'stopped', 'error', 'planned'].includes(status),
          );
          const result = await this.settle(state.sessionId, run);
          return { content: JSON.stringify(this.brief(run, result)), isError: false };
        }
        case 'inspect_run': {
          const run = this.runOf(state, runIdInputSchema.parse(call.input).run_id);
          const result = await this.o.runs.result(run);
          return {
            content: JSON.stringify({
              run_id: run.runId,
              plan_id: run.planId,
              params: run.params,
              ...result,
            }),
            isError: false,
          };
        }
        default:
          return error(`there is no tool named ${call.name}`);
      }
    } catch (e) {
      if (e instanceof ChatStoppingError) throw e; // nothing recorded: the call stays open
      if (e instanceof z.ZodError) return error(`invalid input: ${formatIssues(e.issues).join('; ')}`);
      return error(e instanceof Error ? e.message : String(e));
    }
  }

  private runOf(state: ChatSessionState, runId: string): ChatRun {
    const run = state.runs[runId];
    if (!run)
      throw new DomainError(
        'invalid_command',
        `no run ${runId}; runs: ${state.runOrder.join(', ') || '(none)'}`,
      );
    return run;
  }

  /** Records the end of a run that stopped running since; returns its result (partial while it runs). */
  private async settle(sessionId: string, run: ChatRun): Promise<RunResult> {
    if (run.result && !['running', 'paused'].includes(run.result.status)) return run.result;
    const result = await this.o.runs.result(run);
    // A run the chat stopped following, or a paused one that was resumed or cancelled since.
    if (result.status !== run.result?.status && !['planning', 'running'].includes(result.status))
      await this.endRun(sessionId, run, result);
    return result;
  }

  private brief(run: ChatRun, result: RunResult) {
    return {
      run_id: run.runId,
      plan_id: run.planId,
      status: result.status,
      summary: result.summary,
      failures: result.failures,
      costUsd: result.usage.costUsd,
    };
  }

  private async launchRun(
    state: ChatSessionState,
    call: Extract<ChatBlock, { type: 'tool_use' }>,
    emit: Emit,
    signal?: AbortSignal,
  ): Promise<{ content: string; isError: boolean } | 'awaiting'> {
    const launched = runOfCall(state, call.id);
    if (launched) return this.finish(state, launched, emit, signal);

    const approval = state.approvals[call.id];
    if (approval?.decision === 'cancel')
      return {
        content: 'The user cancelled this run before it started. Ask before launching it again.',
        isError: false,
      };
    const parsed = approval?.params
      ? { success: true as const, data: approval.params }
      : launchRunSchema.safeParse(call.input);
    if (!parsed.success)
      return {
        content: `invalid launch_run input: ${formatIssues(parsed.error.issues).join('; ')}`,
        isError: true,
      };
    const params = parsed.data;
    const paths = await this.contextPaths(state, params);
    if (executes(params)) this.o.runs.agentFor(params); // an unknown agent is refused before anything starts

    if (!approval) {
      const estimateUsd = this.estimate(state, params);
      const spent = state.usage.costUsd + runsUsage(state).costUsd;
      const overBudget =
        this.o.settings.budgetUsd !== null && spent + estimateUsd > this.o.settings.budgetUsd;
      if (!this.o.settings.autoApprove || overBudget) {
        const reason = overBudget ? 'budget' : 'approval';
        await this.write(state.sessionId, {
          type: 'RequestRunApproval',
          approval: { callId: call.id, params, reason, estimateUsd },
          at: now(),
        });
        emit({ type: 'approval_required', callId: call.id, params, reason, estimateUsd });
        return 'awaiting';
      }
    }

    const runId = randomId('run_', 8);
    const planId = this.o.newPlanId();
    const after = await this.write(state.sessionId, {
      type: 'LaunchRun',
      runId,
      callId: call.id,
      planId,
      params,
      at: now(),
    });
    const run = after.runs[runId];
    emit({ type: 'run_launched', runId, planId, callId: call.id });
    const workspace = state.project ? new ProjectWorkspace(state.project) : null;
    await workspace?.recordPaths(paths, runId);
    await workspace?.describeRun(run, null);
    try {
      emit({
        type: 'run_progress',
        runId,
        status: 'planning',
        total: 0,
        completed: 0,
        failed: 0,
        running: [],
      });
      await this.o.runs.plan(planId, params, state.repository, paths);
      if (executes(params)) {
        const sessionId = await this.o.runs.execute(planId, params);
        await this.write(state.sessionId, { type: 'RecordRunSession', runId, sessionId });
      }
    } catch (e) {
      const result = await this.o.runs.result(run, e instanceof Error ? e.message : String(e));
      await this.endRun(state.sessionId, run, result);
      emit({ type: 'run_ended', runId, result });
      return { content: JSON.stringify({ run_id: runId, plan_id: planId, ...result }), isError: true };
    }
    const current = await this.get(state.sessionId);
    return this.finish(current, current.runs[runId], emit, signal);
  }

  /** Follows a launched run to its end (or the wait limit) and gives its result as the tool result. */
  private async finish(
    state: ChatSessionState,
    run: ChatRun,
    emit: Emit,
    signal?: AbortSignal,
  ): Promise<{ content: string; isError: boolean }> {
    if (!run.result) {
      if (run.status === 'planning' && executes(run.params) && !run.sessionId) {
        // The chat stopped (a restart) while the run was planning: nothing executes it now.
        const result = await this.o.runs.result(run, 'the chat was restarted while this run was planning');
        await this.endRun(state.sessionId, run, result);
        emit({ type: 'run_ended', runId: run.runId, result });
        return {
          content: JSON.stringify({ run_id: run.runId, plan_id: run.planId, ...result }),
          isError: true,
        };
      }
      const ended = await this.o.runs.follow(
        run.planId,
        (p) => emit({ type: 'run_progress', runId: run.runId, ...p }),
        this.o.settings.runWaitSec * 1000,
        signal ? AbortSignal.any([signal, this.stopping.signal]) : this.stopping.signal,
      );
      if (this.stopping.signal.aborted) throw new ChatStoppingError();
      if (!ended) {
        const partial = await this.o.runs.result(run);
        return {
          content: JSON.stringify({
            run_id: run.runId,
            plan_id: run.planId,
            ...partial,
            status: 'still running',
            note: `the chat stopped following after ${this.o.settings.runWaitSec} s; check it with run_status`,
          }),
          isError: false,
        };
      }
      const result = await this.o.runs.result(run);
      await this.endRun(state.sessionId, run, result);
      emit({ type: 'run_ended', runId: run.runId, result });
      return {
        content: JSON.stringify({ run_id: run.runId, plan_id: run.planId, ...result }),
        isError: false,
      };
    }
    return {
      content: JSON.stringify({ run_id: run.runId, plan_id: run.planId, ...run.result }),
      isError: false,
    };
  }

  private async endRun(sessionId: string, run: ChatRun, result: RunResult): Promise<void> {
    await this.write(sessionId, { type: 'EndRun', runId: run.runId, result, at: now() });
    const state = await this.get(sessionId);
    if (state.project) await new ProjectWorkspace(state.project).describeRun(run, result);
  }

  private estimate(state: ChatSessionState, params: LaunchRunParams): number {
    const alike = state.runOrder
      .map((r) => state.runs[r])
      .filter(
        (r) =>
          r.result && r.params.agent_mode === params.agent_mode && executes(r.params) === executes(params),
      );
    if (!alike.length) return defaultEstimate(params);
    return alike.reduce((sum, r) => sum + r.result!.usage.costUsd, 0) / alike.length;
  }

  private async contextPaths(
    state: ChatSessionState,
    params: LaunchRunParams,
  ): Promise<ResolvedContextPath[]> {
    const roots: string[] = [];
    if (state.project) roots.push(state.project);
    if (state.repository) roots.push(await this.o.resolveRepository(state.repository));
    return resolveContextPaths(params.context_paths, roots);
  }

  private async systemPrompt(state: ChatSessionState): Promise<string> {
    const workspace = state.project
      ? await new ProjectWorkspace(state.project).summary().catch(() => null)
      : null;
    return chatSystemPrompt({
      project: state.project,
      repository: state.repository,
      agents: Object.entries(this.o.settings.agents).map(([id, a]) => ({ id, type: a.type })),
      autoApprove: this.o.settings.autoApprove,
      budgetUsd: this.o.settings.budgetUsd,
      spent: { conversation: state.usage, runs: runsUsage(state) },
      workspace,
    });
  }

  /**
   * When the last call's prompt passed the threshold, the older turns are summarised by the model
   * and the summary recorded; the recent `keepMessages` messages (at least) stay verbatim.
   */
  private async compactIfLong(state: ChatSessionState, emit: Emit): Promise<ChatSessionState> {
    if (state.lastPromptTokens === null || state.lastPromptTokens < this.o.settings.compactTokens)
      return state;
    const from = state.compaction?.through ?? 0;
    let through = -1;
    for (let i = state.messages.length - this.o.settings.keepMessages; i > from; i--) {
      if (isTurnStart(state, i)) {
        through = i;
        break;
      }
    }
    if (through < 0) return state;
    const transcript = state.messages
      .slice(from, through)
      .map((m) => `${m.role.toUpperCase()}: ${m.content.map(blockText).join('\n')}`)
      .join('\n\n');
    const prompt =
      (state.compaction ? `The summary so far:\n${state.compaction.summary}\n\n` : '') +
      `The conversation to summarise:\n\n${transcript}`;
    const { value, calls } = await this.o.llm().structured({
      purpose: 'chat-compact',
      system: COMPACTION_SYSTEM,
      prompt,
      schema: summarySchema,
      toolName: 'submit_summary',
      toolDescription: 'Submit the summary of the older conversation.',
    });
    const usage = calls.map(usageOf).reduce(addChatUsage, emptyChatUsage());
    const next = await this.write(state.sessionId, {
      type: 'CompactConversation',
      summary: value.summary,
      through,
      usage,
      at: now(),
    });
    emit({ type: 'compacted', through });
    return next;
  }
}

function blockText(b: ChatBlock): string {
  if (b.type === 'text') return b.text;
  if (b.type === 'tool_use') return `[called ${b.name} ${JSON.stringify(b.input)}]`;
  return `[result${b.is_error ? ' (error)' : ''}: ${b.content.slice(0, 2000)}]`;
}

/**
 * The conversation as the model is given it: the compaction summary in place of the turns it
 * covers, then the rest verbatim; consecutive messages of one role merged (the API alternates).
 */
export function modelMessages(state: ChatSessionState): ConversationMessage[] {
  const out: ConversationMessage[] = [];
  const push = (role: 'user' | 'assistant', content: ChatBlock[]) => {
    const last = out[out.length - 1];
    if (last?.role === role) last.content = [...last.content, ...content];
    else out.push({ role, content: [...content] });
  };
  if (state.compaction) {
    push('user', [
      { type: 'text', text: `[Summary of the earlier conversation]\n${state.compaction.summary}` },
    ]);
  }
  for (const m of state.messages.slice(state.compaction?.through ?? 0)) push(m.role, m.content);
  return out;
}

async function isGitWorkTree(dir: string): Promise<boolean> {
  return fs
    .stat(`${dir}/.git`)
    .then(() => true)
    .catch(() => false);
}
