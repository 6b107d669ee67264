/**
 * Contracts of scheduled plan runs: the Temporal Schedule's id, the workflow each firing starts,
 * its input, and the activities it calls (docs/schedules.md).
 */
import type { SessionWorkflowInput } from './session-workflow';

/** Workflow type a schedule's action starts (the exported function's name in workflows/). */
export const SCHEDULED_RUN_WORKFLOW = 'scheduledPlanRunWorkflow';

/**
 * The Temporal Schedule of a plan's schedule, and the workflow id of its action (Temporal appends the
 * firing's time to it, so each firing's workflow id is unique and names the schedule).
 */
export const PLAN_SCHEDULE_PREFIX = 'chunkwise-schedule-';
export const planScheduleId = (planId: string, scheduleId: string) =>
  `${PLAN_SCHEDULE_PREFIX}${planId}-${scheduleId}`;

/** What a schedule's action gives every firing. */
export interface ScheduledRunInput {
  planId: string;
  scheduleId: string;
  /** Activity timing knobs for the session it starts (tests shorten them). */
  timing?: SessionWorkflowInput['timing'];
}

export interface FireScheduleInput extends ScheduledRunInput {
  /** The firing's workflow id: unique per firing, the key of what the firing records. */
  firingId: string;
}

/** What one attempt at a firing did. */
export type FiringResult =
  | { outcome: 'fired'; sessionId: string; workflowId: string }
  /** `queue` overlap: a session is active; try again once it ends. */
  | { outcome: 'queued'; behind: string; behindWorkflowId: string }
  | { outcome: 'skipped'; reason: string };

export interface ScheduleActivities {
  /** Starts a session of the plan through the session service (or records why not). */
  fireSchedule(input: FireScheduleInput): Promise<FiringResult>;
  /** Waits (heartbeating) until a session's workflow ends, however it ends. */
  awaitSessionEnd(input: { workflowId: string }): Promise<void>;
}
