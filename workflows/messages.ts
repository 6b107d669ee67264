/**
 * Message definitions shared by workflows, activities, workers and clients: task queue names,
 * search attribute keys, and (later) signals, queries and updates.
 *
 * This file is imported by workflow code, so it must stay deterministic and free of I/O: it may
 * import only `@temporalio/workflow`, `@temporalio/common`, the pure domain and files under `workflows/`.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { SessionProgress, SessionState } from '@chunkwise/domain';

/** The shared task queue every Chunkwise worker polls. */
export const CHUNKWISE_TASK_QUEUE = 'chunkwise';

/** Search attributes registered on the dev server at start and expected in production. */
export const ChunkwisePlanId = defineSearchAttributeKey('ChunkwisePlanId', SearchAttributeType.KEYWORD);
export const ChunkwisePlanTitle = defineSearchAttributeKey('ChunkwisePlanTitle', SearchAttributeType.TEXT);
export const ChunkwiseStatus = defineSearchAttributeKey('ChunkwiseStatus', SearchAttributeType.KEYWORD);

/** Name → Temporal CLI type, as `temporal server start-dev --search-attribute NAME=TYPE` expects. */
export const CHUNKWISE_SEARCH_ATTRIBUTES: Readonly<Record<string, 'Keyword' | 'Text'>> = {
  ChunkwisePlanId: 'Keyword',
  ChunkwisePlanTitle: 'Text',
  ChunkwiseStatus: 'Keyword',
};

/** Input and output of the connectivity-check workflow. */
export interface PingResult {
  message: string;
  /** Which activity worker answered (host name and process id). */
  answeredBy: string;
}

// ---- the plan session workflow ----------------------------------------------------------------

export const SESSION_WORKFLOW = 'planSessionWorkflow';

export interface SessionWorkflowInput {
  state: SessionState;
  /** The git repository on the worker's machine. */
  repository: string;
  /** Set by continue-as-new: ExecutionStarted is not recorded again. */
  continued: boolean;
  /** Session this one resumes after a stop, if any. */
  resumedFrom: string | null;
  from: string;
  target: string | null;
  /** Activity timing knobs (tests shorten them). */
  timing?: {
    /** Heartbeat timeout of activities that touch a work tree: how soon a dead worker's turn is retried. */
    heartbeatTimeoutSec?: number;
    /** Start-to-close timeout of short bookkeeping activities (recording events); default 60. */
    shortActivityTimeoutSec?: number;
    /** Recorded events after which the run continues as new at the next safe boundary; default 4000. */
    continueAsNewAfterEvents?: number;
  };
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

export const pauseSignal = defineSignal<[{ reason?: string }?]>('pause');
export const resumeSignal = defineSignal('resume');
export const stopSignal = defineSignal('stop');
export const cancelSignal = defineSignal<[{ reason?: string }?]>('cancel');

export const approveTaskUpdate = defineUpdate<
  UpdateAnswer,
  [{ taskId: string; action: 'execute' | 'skip'; edit?: TaskEdit }]
>('approveTask');
export const retryTaskUpdate = defineUpdate<UpdateAnswer, [{ taskId: string; edit?: TaskEdit }]>('retryTask');
export const skipTaskUpdate = defineUpdate<UpdateAnswer, [{ taskId: string; reason?: string }]>('skipTask');
export const completeTaskUpdate = defineUpdate<UpdateAnswer, [{ taskId: string }]>('completeTask');
export const editTaskUpdate = defineUpdate<UpdateAnswer, [{ taskId: string; edit: TaskEdit }]>('editTask');

export const progressQuery = defineQuery<SessionProgress>('progress');

export const sessionWorkflowId = (planId: string, sessionId: string) => `chunkwise-${planId}-${sessionId}`;
/** Activities that touch a work tree run on the queue of the host that holds it. */
export const hostTaskQueue = (base: string, host: string) => `${base}@${host}`;
