import type { TaskStatus } from './schemas';

/**
 * Execution events, appended to the plan's stream by the session workflow (through an idempotent
 * activity with deterministic event ids). `revision` is the frozen revision being executed.
 */
interface Base {
  revision: number;
  sessionId: string;
}

/** Why a session paused. */
export type PauseReason =
  | 'user'
  | 'task_failed'
  | 'chunk_completed'
  | 'chunk_failed'
  | 'approval'
  /** The next turn would cross the plan's or the session's budget (docs/cost.md). */
  | 'budget_exceeded'
  /** The session's host is gone and the work tree cannot be rebuilt elsewhere (docs/production.md). */
  | 'host_lost';

export type ExecutionEvent =
  | {
      type: 'ExecutionRequested';
      data: Base & {
        workflowId: string;
        from: string;
        target: string | null;
        chunks: string | null;
        resumedFrom: string | null;
      };
    }
  | {
      type: 'ExecutionStarted';
      data: Base & {
        workflowId: string;
        from: string;
        target: string | null;
        chunks: string[];
        options: Record<string, unknown>;
        resumedFrom: string | null;
        /** The session branch's commit when the session began (a rollback resets to it); absent in older events. */
        head?: string | null;
        /** The same for each of the tasks' other repositories, by reference (multi-repository plans). */
        repositoryHeads?: Record<string, string>;
      };
    }
  | { type: 'ChunkStarted'; data: Base & { chunk: string } }
  | {
      type: 'TurnStarted';
      data: Base & { turnId: string; chunk: string; taskId: string | null; attempt: number };
    }
  | {
      type: 'TurnCompleted';
      data: Base & {
        turnId: string;
        taskId: string | null;
        exitCode: number | null;
        timedOut: boolean;
        durationMs: number;
        succeeded: boolean;
        error: string | null;
        /**
         * Tokens and cost of the turn, when the agent reports them (claude-code, anthropic, a `command`
         * agent's usage report). null: unknown, never zero.
         */
        usage?: TurnUsage | null;
        /** The agent's own id for the turn's conversation (claude's session id), when it has one. */
        agentSessionId?: string | null;
      };
    }
  | {
      type: 'QaGateResult';
      data: Base & {
        turnId: string;
        taskId: string | null;
        gate: string;
        passed: boolean;
        exitCode: number | null;
        timedOut: boolean;
        durationMs: number;
        outputTail: string;
      };
    }
  | {
      type: 'TaskCompleted';
      data: Base & { taskId: string; sha: string | null; attempts: number; files: string[]; manual: boolean };
    }
  | { type: 'TaskFailed'; data: Base & { taskId: string; attempts: number; error: string; final: boolean } }
  | { type: 'TaskSkipped'; data: Base & { taskId: string; reason: string } }
  /** The user retried a failed task: it is pending again with its attempts reset (its last error kept for the next prompt). */
  | { type: 'TaskRetried'; data: Base & { taskId: string } }
  /** The user approved a task of a manual chunk: it may start. */
  | { type: 'TaskApproved'; data: Base & { taskId: string } }
  /**
   * A chunk-scope turn made no progress (failed, timed out, QA failed, or marked nothing done): the
   * chunk's open tasks carry its error. `turns` counts the chunk's turns without progress in a row;
   * `final` says the no-progress budget is spent and the chunk has failed.
   */
  | {
      type: 'ChunkTurnFailed';
      data: Base & {
        chunk: string;
        turnId: string;
        tasks: string[];
        error: string;
        turns: number;
        final: boolean;
      };
    }
  | {
      type: 'TaskEdited';
      data: Base & {
        taskId: string;
        changes: { title?: string; description?: string; acceptance?: string[] };
      };
    }
  | {
      type: 'ChunkCompleted';
      data: Base & {
        chunk: string;
        completed: string[];
        skipped: string[];
        commits: string[];
        files: string[];
      };
    }
  | {
      type: 'ExecutionPaused';
      data: Base & { reason: PauseReason; detail: string | null; next: string | null };
    }
  | { type: 'ExecutionResumed'; data: Base }
  /**
   * The host that held the session's work tree stopped answering (its queue and its liveness ping
   * both silent for the host grace). The turns it ran (`tasks`) go back to pending, their attempt
   * not counted; the session moves.
   */
  | { type: 'HostLost'; data: Base & { taskQueue: string; tasks: string[]; detail: string } }
  /** The session's work tree was rebuilt on another host from the session branch on the remote. */
  | { type: 'SessionMoved'; data: Base & { from: string; to: string; head: string } }
  | { type: 'ExecutionStopped'; data: Base & { resumable: true; chunk: string | null } }
  | { type: 'ExecutionCompleted'; data: Base & { commits: string[]; durationMs: number } }
  | { type: 'ExecutionFailed'; data: Base & { reason: string } }
  | { type: 'ExecutionCancelled'; data: Base & { reason: string | null } };

export type ExecutionEventType = ExecutionEvent['type'];

export const EXECUTION_EVENT_TYPES: readonly ExecutionEventType[] = [
  'ExecutionRequested',
  'ExecutionStarted',
  'ChunkStarted',
  'TurnStarted',
  'TurnCompleted',
  'QaGateResult',
  'TaskCompleted',
  'TaskFailed',
  'TaskSkipped',
  'TaskEdited',
  'TaskRetried',
  'TaskApproved',
  'ChunkTurnFailed',
  'ChunkCompleted',
  'ExecutionPaused',
  'ExecutionResumed',
  'HostLost',
  'SessionMoved',
  'ExecutionStopped',
  'ExecutionCompleted',
  'ExecutionFailed',
  'ExecutionCancelled',
];

/** Task status after an execution event, or undefined when the event does not change it. */
export function taskStatusAfter(event: ExecutionEvent): { taskId: string; status: TaskStatus } | undefined {
  switch (event.type) {
    case 'TurnStarted':
      return event.data.taskId ? { taskId: event.data.taskId, status: 'running' } : undefined;
    case 'TaskCompleted':
      return { taskId: event.data.taskId, status: 'completed' };
    case 'TaskFailed':
      return { taskId: event.data.taskId, status: event.data.final ? 'failed' : 'pending' };
    case 'TaskSkipped':
      return { taskId: event.data.taskId, status: 'skipped' };
    case 'TaskRetried':
      return { taskId: event.data.taskId, status: 'pending' };
    default:
      return undefined;
  }
}

/** Token usage of one agent turn, as runners report it. */
export interface TurnUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheCreationTokens: number;
  costUsd: number | null;
  /** Absent in turns recorded before the ledger existed. */
  model?: string | null;
}
