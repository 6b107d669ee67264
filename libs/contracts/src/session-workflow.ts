import type { QaGate, SessionState } from '@chunkwise/domain';

/** Input and output of the connectivity-check workflow. */
export interface PingResult {
  message: string;
  /** Which activity worker answered (host name and process id). */
  answeredBy: string;
}

/**
 * Default activity timing. The heartbeat timeout is how soon the turn of a dead worker runs again:
 * recovery is about heartbeat timeout + retry interval (1 s) + pick-up. Activities heartbeat every
 * second (at most a quarter of the timeout) and the host worker sends them at once, so a long turn
 * on a live worker is never cut short.
 */
export const DEFAULT_TIMING = {
  heartbeatTimeoutSec: 5,
  shortActivityTimeoutSec: 60,
  continueAsNewAfterEvents: 4000,
  hostGraceSec: 60,
} as const;

/** How often a long activity heartbeats, by default (ms). */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 1000;

/** A task repository other than the plan's, as the worker finds it (multi-repository plans). */
export interface TaskRepositoryTarget {
  /** The path of the git repository on the worker's machine. */
  path: string;
  /** The QA gates of tasks in this repository: its registered defaults' gates, else the session's. */
  qaGates: QaGate[];
}

export interface SessionWorkflowInput {
  state: SessionState;
  /** The git repository on the worker's machine. */
  repository: string;
  /**
   * The other repositories the plan's tasks work in, by the tasks' `repository` reference. Absent or
   * empty: every task works in `repository`.
   */
  repositories?: Record<string, TaskRepositoryTarget>;
  /** Set by continue-as-new: ExecutionStarted is not recorded again. */
  continued: boolean;
  /** Session this one resumes after a stop, if any. */
  resumedFrom: string | null;
  from: string;
  target: string | null;
  /** Activity timing knobs (tests shorten them). */
  timing?: {
    /** Heartbeat timeout of activities that touch a work tree: how soon a dead worker's turn is retried; default 5. */
    heartbeatTimeoutSec?: number;
    /** Start-to-close timeout of short bookkeeping activities (recording events); default 60. */
    shortActivityTimeoutSec?: number;
    /** Recorded events after which the run continues as new at the next safe boundary; default 4000. */
    continueAsNewAfterEvents?: number;
    /**
     * How long an activity may wait on the work tree's host before the host is asked whether it is
     * alive; a host that does not answer within the same grace is lost, and the session moves. Default 60.
     */
    hostGraceSec?: number;
  };
  /**
   * Set by the run that found the session's host lost: the task queue of that host. The next run
   * prepares the work tree on a live host from the session branch on the repository's remote.
   */
  relocateFrom?: string;
  /** Set by continue-as-new: the task queue of the host that holds the work tree, where the next run stays. */
  hostQueue?: string;
  /** Set by continue-as-new: manual-chunk tasks already approved but not started yet. */
  approved?: string[];
}

export interface SessionOutcome {
  status: 'completed' | 'stopped' | 'cancelled' | 'failed';
  state: SessionState;
}

export interface UpdateAnswer {
  accepted: boolean;
  reason: string | null;
}

export interface TaskEdit {
  title?: string;
  description?: string;
  acceptance?: string[];
}
