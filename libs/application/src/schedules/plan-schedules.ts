import type { ScheduleOverlap, ScheduleSpec } from '@chunkwise/domain';
import type { ScheduledRunInput } from '@chunkwise/contracts';

/** What Temporal is told about one schedule of a plan (its action starts `scheduledPlanRunWorkflow`). */
export interface ScheduleDefinition {
  temporalScheduleId: string;
  planId: string;
  scheduleId: string;
  spec: ScheduleSpec;
  overlap: ScheduleOverlap;
  note: string | null;
  paused: boolean;
  /** Shown in Temporal's UI beside the schedule. */
  planTitle: string;
  timing?: ScheduledRunInput['timing'];
}

/** A schedule as Temporal describes it now. */
export interface ScheduleLiveInfo {
  paused: boolean;
  note: string | null;
  /** The next times it fires (ISO). */
  nextRunTimes: string[];
  /** The latest firings Temporal started (oldest first). */
  recentRuns: Array<{ scheduledAt: string; startedAt: string; workflowId: string }>;
  /** Firings whose workflow still runs (a session, or one queued behind a session). */
  runningWorkflows: string[];
  actionsTaken: number;
  /** Firings Temporal dropped because one was running and another buffered already (`queue`). */
  skippedOverlap: number;
  /** A one-off (`at`) schedule: 1 until it fires, then 0. Null when unlimited. */
  remainingActions: number | null;
}

/** One Temporal Schedule of a plan, as Temporal's listing gives it. */
export interface ListedSchedule {
  temporalScheduleId: string;
  planId: string;
  scheduleId: string;
  paused: boolean;
  nextRunTimes: string[];
}

/**
 * The port through which the application manages plans' Temporal Schedules (the adapter on
 * @temporalio/client is in @chunkwise/temporal). Methods that name a schedule answer false (or null)
 * when Temporal has no schedule of that id; every method throws TemporalUnavailableError when the
 * engine cannot be reached, and `create` a DomainError (400) when Temporal refuses the spec.
 */
export interface PlanSchedules {
  ensureReachable(): Promise<void>;
  /** Creates the schedule; `exists` when one of that id is there already (a retry). */
  create(definition: ScheduleDefinition): Promise<'created' | 'exists'>;
  pause(temporalScheduleId: string, note?: string | null): Promise<boolean>;
  unpause(temporalScheduleId: string, note?: string | null): Promise<boolean>;
  /** Fires now, under the schedule's own overlap policy. */
  trigger(temporalScheduleId: string, overlap: ScheduleOverlap): Promise<boolean>;
  delete(temporalScheduleId: string): Promise<boolean>;
  describe(temporalScheduleId: string): Promise<ScheduleLiveInfo | null>;
  /** Every plan schedule Temporal holds (Temporal's listing is eventually consistent). */
  list(): Promise<ListedSchedule[]>;
}
