/** What an agent turn is given. */
export interface TurnRequest {
  /** Work tree the agent runs in; it must stay inside it. */
  cwd: string;
  prompt: string;
  taskId: string | null;
  chunk: string;
  attempt: number;
  /** Path of the chunk-only plan file (.chunkwise/plan.json). */
  planFile: string;
  /** Path of the frozen full plan (.chunkwise/full_plan.json). */
  fullPlanFile: string;
  /** Where the prompt is written (always written, for audit and for promptVia=file). */
  promptFile: string;
  timeoutSec: number;
  /**
   * A private directory for the agent's own state (configuration, transcripts), outside the work
   * tree. Runners that need one make a temporary directory when it is not given.
   */
  stateDir?: string;
}

export interface TurnResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** Set when the agent could not be started (binary missing, permission denied). */
  startError: string | null;
  /** The last part of the combined output (bounded). */
  output: string;
  outputBytes: number;
  durationMs: number;
  /** Set when the agent exited 0 but reported failure itself (e.g. claude's error result). */
  agentError?: string | null;
  /** Token usage and cost when the agent reports them. */
  usage?: {
    inputTokens: number;
    outputTokens: number;
    cacheReadTokens: number;
    cacheCreationTokens: number;
    costUsd: number | null;
    /** The model that did most of the work, when known. */
    model?: string | null;
  } | null;
  /** The agent's own id for the conversation, when it has one (claude's session id). */
  agentSessionId?: string | null;
}

export interface TurnHooks {
  /** Streamed output, for heartbeats and live logs. */
  onOutput?: (chunk: string) => void;
  /** Aborting cancels the turn (the agent's process group is killed). */
  signal?: AbortSignal;
}

export interface AgentRunner {
  readonly type: string;
  run(turn: TurnRequest, hooks?: TurnHooks): Promise<TurnResult>;
}

/** A turn finished when the agent exited 0 on its own: never on timeout, signal or start failure. */
export const turnSucceeded = (r: TurnResult) =>
  r.exitCode === 0 && !r.timedOut && r.startError === null && !r.agentError;
