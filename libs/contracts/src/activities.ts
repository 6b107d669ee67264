/**
 * The activities' interface as the workflow sees it: names, inputs and outputs. The worker's
 * implementation (activities/) satisfies it; the workflow proxies it without importing that code.
 */
import type {
  AgentConfig,
  BudgetReading,
  QaGate,
  SessionChunk,
  SessionState,
  SessionTask,
  TurnUsage,
} from '@chunkwise/domain';
import type { RollbackActivities } from './rollback';
import type { PingResult } from './session-workflow';
import type { ScheduleActivities } from './schedules';

export interface RecordEventsInput {
  planId: string;
  /** `key` is unique per session and sequence number: the event id derives from it. */
  events: Array<{ key: string; type: string; data: unknown }>;
}

export interface PrepareWorktreeInput {
  planId: string;
  sessionId: string;
  branch: string;
  repository: string;
  /**
   * The session's host was lost: rebuild the work tree from the session branch on the repository's
   * remote (`origin`), the only copy a lost host cannot take with it. Fails with type
   * `NoRemoteToRecover` when the repository has no remote.
   */
  recoverFromRemote?: boolean;
  /**
   * The task queue of the host declared lost. When the host taking the preparation is that same host
   * (it was only too slow to answer, e.g. starved of CPU), its work tree is used as it is.
   */
  lostTaskQueue?: string;
  /**
   * A task repository other than the plan's (multi-repository plans): its work tree is named by this
   * key beside the primary one (`repositoryWorktreeKey`). Absent: the plan's repository.
   */
  repositoryKey?: string;
}

export interface PreparedWorktree {
  path: string;
  /** The task queue of the host that holds the work tree. */
  taskQueue: string;
  head: string;
}

export interface PrepareTaskWorktreeInput {
  sessionWorktree: string;
  /** The session's branch; the task's branch is derived from it. */
  branch: string;
  taskId: string;
}

export interface PreparedTaskWorktree {
  path: string;
  branch: string;
}

export interface RunTurnInput {
  planId: string;
  sessionId: string;
  turnId: string;
  worktree: string;
  chunk: SessionChunk;
  /** null: one turn over the whole chunk. */
  task: SessionTask | null;
  state: SessionState;
  attempt: number;
  previousError: string | null;
  agent: AgentConfig;
}

export interface RunTurnResult {
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  succeeded: boolean;
  error: string | null;
  /** Tasks the agent marked completed in the chunk-only plan (turnScope chunk). */
  markedDone: string[];
  outputTail: string;
  /** Tokens and cost, when the runner reports them. */
  usage: TurnUsage | null;
  /** The agent's id for the turn's conversation (claude's session id), when it has one. */
  agentSessionId?: string | null;
}

export interface RunQaGatesInput {
  worktree: string;
  gates: QaGate[];
  turnId: string;
}

export interface QaGateRun {
  gate: string;
  passed: boolean;
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  outputTail: string;
}

export interface CommitTaskInput {
  worktree: string;
  sessionId: string;
  taskId: string;
  title: string;
  branch: string;
}

export interface CommitTaskResult {
  sha: string;
  /** False when an earlier attempt already committed the task. */
  created: boolean;
  files: string[];
  pushed: boolean;
}

export interface IntegrateTaskInput {
  sessionWorktree: string;
  taskWorktree: string;
  sessionId: string;
  taskId: string;
  /** The session's branch. */
  branch: string;
}

/** A conflict is an answer, not an error: `ok` false and `conflict` says which files. */
export interface IntegrateTaskResult {
  ok: boolean;
  sha: string | null;
  files: string[];
  conflict: string | null;
}

export interface FilesChangedInput {
  worktree: string;
  shas: string[];
}

export interface RemoveTaskWorktreesInput {
  sessionWorktree: string;
  /** The session's branch; its task branches (`<branch>--<task>`) are removed, it stays. */
  branch: string;
}

export interface RemovedTaskWorktrees {
  /** Task work trees removed. */
  worktrees: string[];
  /** Task branches deleted. */
  branches: string[];
}

export interface SessionActivities {
  recordEvents(input: RecordEventsInput): Promise<void>;
  prepareWorktree(input: PrepareWorktreeInput): Promise<PreparedWorktree>;
  prepareTaskWorktree(input: PrepareTaskWorktreeInput): Promise<PreparedTaskWorktree>;
  runTurn(input: RunTurnInput): Promise<RunTurnResult>;
  runQaGates(input: RunQaGatesInput): Promise<{ results: QaGateRun[] }>;
  commitTask(input: CommitTaskInput): Promise<CommitTaskResult>;
  /** Cherry-picks a parallel task's commit onto the session branch, then removes the task's branch. */
  integrateTask(input: IntegrateTaskInput): Promise<IntegrateTaskResult>;
  filesChanged(input: FilesChangedInput): Promise<string[]>;
  /** At the end of a session: removes every task work tree and task branch; the session's stay. */
  removeTaskWorktrees(input: RemoveTaskWorktreesInput): Promise<RemovedTaskWorktrees>;
  /** The plan's budget and what the plan spent outside the session, as the event store holds them now. */
  readBudget(input: ReadBudgetInput): Promise<BudgetReading>;
}

export interface ReadBudgetInput {
  planId: string;
  sessionId: string;
}

export interface PingActivities {
  ping(name: string): Promise<PingResult>;
}

/** Everything a Chunkwise worker registers. */
export type ChunkwiseActivities = PingActivities &
  SessionActivities &
  RollbackActivities &
  ScheduleActivities;
