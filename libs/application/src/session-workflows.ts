import type { SessionProgress } from '@chunkwise/domain';
import type { SessionOutcome, SessionWorkflowInput, UpdateAnswer } from '@chunkwise/contracts';

export type SessionSignal = 'pause' | 'stop' | 'cancel' | 'resume';
export type SessionUpdate = 'approveTask' | 'retryTask' | 'skipTask' | 'completeTask' | 'editTask';

/**
 * The port through which the application drives session workflows (the adapter on
 * @temporalio/client is in @chunkwise/temporal). Every method throws TemporalUnavailableError when
 * the engine cannot be reached.
 */
export interface SessionWorkflows {
  /** Connects (lazily, once) to the engine. */
  connect(): Promise<void>;
  /** Checks that the engine answers, before anything is recorded for a new session. */
  ensureReachable(): Promise<void>;
  /** Starts one session's workflow (id: `sessionWorkflowId(planId, sessionId)`). */
  start(workflowId: string, input: SessionWorkflowInput, planTitle: string): Promise<void>;
  signal(workflowId: string, signal: SessionSignal, reason?: string): Promise<void>;
  /** Sends an update; a validator's refusal comes back as `{ accepted: false, reason }`. */
  update(workflowId: string, update: SessionUpdate, args: Record<string, unknown>): Promise<UpdateAnswer>;
  progress(workflowId: string): Promise<SessionProgress>;
  /** Waits for the workflow to end. */
  result(workflowId: string): Promise<SessionOutcome>;
}
