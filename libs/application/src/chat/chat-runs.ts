import * as fs from 'node:fs/promises';
import {
  emptyChatUsage,
  executes,
  refines,
  type AgentConfig,
  type ChatRun,
  type ChatUsage,
  type ExecutionSettingsInput,
  type LaunchRunParams,
  type PlanState,
  type RunResult,
  type RunStatus,
  type TurnUsage,
} from '@chunkwise/domain';
import type { StoredEvent } from '@chunkwise/event-store';
import { DomainError } from '@chunkwise/domain';
import type { PlanCommandService } from '../plan-command-service';
import type { PlanningService } from '../planning/planning-service';
import type { SessionService } from '../session-service';
import type { ResolvedContextPath } from './context-paths';

/** How far a run got, as the chat shows it while following. */
export interface RunProgress {
  status: RunStatus;
  total: number;
  completed: number;
  failed: number;
  running: string[];
}

export interface ChatRunsOptions {
  plans: PlanCommandService;
  planning: PlanningService;
  sessions: SessionService;
  /** The agents a run may name; the first is the default. */
  agents: Record<string, AgentConfig>;
  /** How often a followed run's plan is read. Default 500 ms. */
  pollMs?: number;
}

/** The feedback of a run's refinement turn. */
export const REFINE_FEEDBACK =
  'Review this plan critically against the task and its context: missing steps, wrong order or dependencies, ' +
  'vague acceptance criteria, tasks too large for one agent turn. Improve it; keep what is good.';

const READ_PREVIEW_CHARS = 4000;

/**
 * A chat run on the existing services: PlanningService generates (and refines) the plan,
 * SessionService executes it, and the plan's stream tells how it went. Nothing here re-implements
 * planning or execution.
 */
export class ChatRuns {
  private readonly pollMs: number;

  constructor(private readonly o: ChatRunsOptions) {
    this.pollMs = o.pollMs ?? 500;
  }

  /** The agent a run executes with, and its config carrying the run's extra system prompt. */
  agentFor(params: LaunchRunParams): { id: string; config: AgentConfig } {
    const ids = Object.keys(this.o.agents);
    const id = params.agents?.[0] ?? ids[0];
    const config = this.o.agents[id];
    if (!config)
      throw new DomainError('invalid_command', `agents: unknown agent ${id}; configured: ${ids.join(', ')}`);
    for (const named of Object.keys(params.agent_system_prompts)) {
      if (named !== id)
        throw new DomainError(
          'invalid_command',
          `agent_system_prompts.${named}: the run executes with ${id}, not ${named}`,
        );
    }
    const extra = params.agent_system_prompts[id];
    if (!extra) return { id, config };
    switch (config.type) {
      case 'claude-code':
        return {
          id,
          config: { ...config, extraArgs: [...config.extraArgs, '--append-system-prompt', extra] },
        };
      case 'command':
        return { id, config: { ...config, env: { ...config.env, CHUNKWISE_AGENT_SYSTEM_PROMPT: extra } } };
      default:
        throw new DomainError(
          'invalid_command',
          `agent_system_prompts.${id}: the ${config.type} runner takes no extra system prompt; put it in context`,
        );
    }
  }

  /** Generates the run's plan (and refines it), with the task, context and context paths as its description. */
  async plan(
    planId: string,
    params: LaunchRunParams,
    repository: string | null,
    paths: ResolvedContextPath[],
  ): Promise<void> {
    const description = await runDescription(params, paths);
    const title = params.task.split('\n')[0].slice(0, 120).trim() || 'Chat run';
    await this.o.planning.generate(planId, { title, description, repository });
    if (refines(params)) {
      await this.o.planning.refine(planId, {
        feedback: REFINE_FEEDBACK,
        mode: params.agent_mode,
        author: 'chat',
      });
    }
  }

  /** Freezes the plan and starts its execution session; returns the session id. */
  async execute(planId: string, params: LaunchRunParams): Promise<string> {
    const { config } = this.agentFor(params);
    await this.o.plans.execute(planId, { type: 'FinalizePlan' });
    const options: ExecutionSettingsInput = { ...params.coordination_overrides, agent: config };
    const ref = await this.o.sessions.execute(planId, { options });
    return ref.sessionId;
  }

  /**
   * Follows the run until its session is no longer running (ended, paused for the user, stopped)
   * or `timeoutMs` passes; reports progress when it changes. True when the run stopped running
   * (`until` says when: by default anything but running).
   */
  async follow(
    planId: string,
    onProgress: (p: RunProgress) => void,
    timeoutMs: number,
    signal?: AbortSignal,
    until: (status: RunStatus) => boolean = (status) => status !== 'running',
  ): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      const { state } = await this.o.plans.load(planId);
      const progress = progressOf(state);
      const key = JSON.stringify(progress);
      if (key !== last) {
        last = key;
        onProgress(progress);
      }
      if (until(progress.status)) return true;
      if (Date.now() > deadline || signal?.aborted) return false;
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }

  /** The run's result as its plan tells it now (partial while it runs). */
  async result(run: Pick<ChatRun, 'planId' | 'params'>, error?: string): Promise<RunResult> {
    const { state, events } = await this.o.plans.load(run.planId);
    const usage = runUsage(state, events);
    if (!state.exists) {
      return {
        status: 'error',
        summary: error ?? 'the run made no plan',
        tasks: [],
        commits: [],
        failures: error ? [error] : [],
        usage,
      };
    }
    const progress = progressOf(state);
    const status: RunStatus = error ? 'error' : progress.status;
    const tasks = state.content.tasks.map((t) => ({
      id: t.id,
      title: t.title,
      status: t.status,
      commit: t.commitSha,
      lastError: t.lastError,
    }));
    const failures = [
      ...(error ? [error] : []),
      ...state.content.tasks
        .filter((t) => t.status === 'failed' || t.lastError)
        .map((t) => `${t.id}: ${t.lastError ?? t.status}`),
      ...(state.session?.pauseReason
        ? [
            `paused: ${state.session.pauseReason}${state.session.pauseDetail ? ` (${state.session.pauseDetail})` : ''}`,
          ]
        : []),
    ];
    const summary =
      `${state.content.title}: plan ${state.planId} r${state.revision}, ${state.content.chunks.length} chunks, ` +
      `${progress.total} tasks; ${progress.completed} completed, ${progress.failed} failed; run ${status}` +
      (error ? ` — ${error}` : '');
    return {
      status,
      summary,
      tasks,
      commits: tasks.flatMap((t) => (t.commit ? [t.commit] : [])),
      failures,
      usage,
    };
  }

  async cancel(planId: string, reason: string | undefined): Promise<void> {
    await this.o.sessions.signal(planId, 'cancel', reason ?? 'cancelled from the chat');
  }
}

/** The run's status from its plan: planning (draft), planned (draft, not to execute), or its session's. */
export function progressOf(state: PlanState): RunProgress {
  const tasks = state.content.tasks;
  const session = state.session?.status;
  const status: RunStatus = !state.exists
    ? 'planning'
    : session
      ? session
      : state.status === 'draft' || state.status === 'ready'
        ? 'planned'
        : (state.status as RunStatus);
  return {
    status,
    total: tasks.length,
    completed: tasks.filter((t) => t.status === 'completed' || t.status === 'skipped').length,
    failed: tasks.filter((t) => t.status === 'failed').length,
    running: tasks.filter((t) => t.status === 'running').map((t) => t.id),
  };
}

/** Planning calls (the plan's usage) plus the agents' turns that reported usage. */
function runUsage(state: PlanState, events: StoredEvent[]): ChatUsage {
  const u = state.exists ? state.usage : null;
  const total: ChatUsage = u
    ? {
        calls: u.calls,
        inputTokens: u.inputTokens,
        outputTokens: u.outputTokens,
        cacheCreationInputTokens: u.cacheCreationInputTokens,
        cacheReadInputTokens: u.cacheReadInputTokens,
        costUsd: u.costUsd,
      }
    : emptyChatUsage();
  for (const e of events) {
    if (e.type !== 'TurnCompleted') continue;
    const turn = (e.data as { usage?: TurnUsage | null }).usage;
    if (!turn) continue;
    total.calls += 1;
    total.inputTokens += turn.inputTokens;
    total.outputTokens += turn.outputTokens;
    total.cacheReadInputTokens += turn.cacheReadTokens;
    total.cacheCreationInputTokens += turn.cacheCreationTokens;
    total.costUsd += turn.costUsd ?? 0;
  }
  return total;
}

/** The description the plan is generated from: the task, its context, and the context paths. */
export async function runDescription(params: LaunchRunParams, paths: ResolvedContextPath[]): Promise<string> {
  const parts = [params.task.trim()];
  if (params.context?.trim()) parts.push('', '## Context', '', params.context.trim());
  if (paths.length) {
    parts.push('', '## Context paths', '');
    for (const p of paths) {
      parts.push(`- ${p.path} (${p.permission === 'write' ? 'may be changed' : 'read only'})`);
    }
    for (const p of paths.filter((x) => x.permission === 'read')) {
      const text = await readPreview(p.absolute);
      if (text !== null) parts.push('', `### ${p.path}`, '', '```', text, '```');
    }
  }
  for (const [agent, prompt] of Object.entries(params.agent_system_prompts)) {
    parts.push('', `## Instructions for the agent (${agent})`, '', prompt.trim());
  }
  if (!executes(params))
    parts.push('', '(Planning only: this plan is reviewed before anything is executed.)');
  return parts.join('\n');
}

async function readPreview(file: string): Promise<string | null> {
  const stat = await fs.stat(file).catch(() => null);
  if (!stat?.isFile()) return null;
  const handle = await fs.open(file, 'r');
  try {
    const buffer = Buffer.alloc(Math.min(stat.size, READ_PREVIEW_CHARS));
    await handle.read(buffer, 0, buffer.length, 0);
    const text = buffer.toString('utf8');
    return stat.size > READ_PREVIEW_CHARS ? `${text}\n… (${stat.size} bytes in all)` : text;
  } finally {
    await handle.close();
  }
}
