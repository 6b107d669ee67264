import {
  MONTHS,
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  type Client,
  type ScheduleExecutionResult,
  type ScheduleOptions,
  type ScheduleOverlapPolicy,
  type ScheduleSpec as TemporalScheduleSpec,
} from '@temporalio/client';
import {
  TemporalUnavailableError,
  type ListedSchedule,
  type PlanSchedules,
  type ScheduleDefinition,
  type ScheduleLiveInfo,
} from '@chunkwise/application';
import { DomainError, type ScheduleOverlap, type ScheduleSpec } from '@chunkwise/domain';
import {
  ChunkwisePlanId,
  ChunkwisePlanTitle,
  PLAN_SCHEDULE_PREFIX,
  SCHEDULED_RUN_WORKFLOW,
  type ScheduledRunInput,
} from '@chunkwise/contracts';
import { isTemporalUnreachable, type TemporalSessionWorkflows } from './temporal-session-workflows';

const GRPC_INVALID_ARGUMENT = 3;

/**
 * The overlap policy Temporal applies to a firing while the previous firing's workflow still runs
 * (that workflow lasts as long as the session it started):
 * - `refuse` → ALLOW_ALL: every firing starts its workflow, which finds the plan's session active and
 *   records ScheduleFiringSkipped. Refusing in the domain (one active session per plan is already the
 *   rule of RequestExecution) puts every refused firing on the plan's history, including firings
 *   during a session started by hand; Temporal's SKIP would drop them silently.
 * - `queue` → BUFFER_ONE: one firing waits for the running one to end, then starts; more firings in
 *   the meantime are dropped by Temporal (counted in `skippedOverlap`). A plan runs the same work
 *   each time, so one pending run ("run again after this one") is what queueing means; BUFFER_ALL
 *   would pile up runs of the same plan behind a long session.
 */
export const TEMPORAL_OVERLAP: Record<ScheduleOverlap, ScheduleOverlapPolicy> = {
  refuse: 'ALLOW_ALL',
  queue: 'BUFFER_ONE',
};

/** A missed firing (server down) still runs if the server is back within this window. */
const CATCHUP_WINDOW = '10 minutes';

/** Our spec in Temporal's terms: cron, interval, or one calendar time (UTC) with one action left. */
export function temporalSpec(spec: ScheduleSpec): { spec: TemporalScheduleSpec; remainingActions?: number } {
  switch (spec.kind) {
    case 'cron':
      return { spec: { cronExpressions: [spec.cron] } };
    case 'every':
      return { spec: { intervals: [{ every: spec.everyMs }] } };
    case 'at': {
      const at = new Date(spec.at);
      return {
        spec: {
          calendars: [
            {
              year: at.getUTCFullYear(),
              month: MONTHS[at.getUTCMonth()],
              dayOfMonth: at.getUTCDate(),
              hour: at.getUTCHours(),
              minute: at.getUTCMinutes(),
              second: at.getUTCSeconds(),
            },
          ],
        },
        remainingActions: 1,
      };
    }
  }
}

const iso = (d: Date | undefined) => (d ? d.toISOString() : '');
const runOf = (r: ScheduleExecutionResult) => ({
  scheduledAt: iso(r.scheduledAt),
  startedAt: iso(r.takenAt),
  workflowId: r.action.workflow.workflowId,
});

/**
 * The PlanSchedules port on @temporalio/client's Schedule API, sharing the session adapter's lazy
 * connection (and its "unreachable → TemporalUnavailableError" rule).
 */
export class TemporalPlanSchedules implements PlanSchedules {
  constructor(
    private readonly workflows: TemporalSessionWorkflows,
    private readonly options: { address: string; taskQueue: string },
  ) {}

  private async call<T>(fn: (client: Client) => Promise<T>): Promise<T> {
    const client = await this.workflows.client();
    try {
      return await fn(client);
    } catch (e) {
      if (isTemporalUnreachable(e))
        throw new TemporalUnavailableError(this.options.address, e instanceof Error ? e.message : String(e));
      throw e;
    }
  }

  /** Runs an action on a schedule; false when Temporal has no schedule of that id. */
  private async onHandle(
    id: string,
    fn: (handle: ReturnType<Client['schedule']['getHandle']>) => Promise<void>,
  ) {
    return this.call(async (client) => {
      try {
        await fn(client.schedule.getHandle(id));
        return true;
      } catch (e) {
        if (e instanceof ScheduleNotFoundError) return false;
        throw e;
      }
    });
  }

  ensureReachable(): Promise<void> {
    return this.workflows.ensureReachable();
  }

  create(d: ScheduleDefinition): Promise<'created' | 'exists'> {
    const { spec, remainingActions } = temporalSpec(d.spec);
    const input: ScheduledRunInput = { planId: d.planId, scheduleId: d.scheduleId, timing: d.timing };
    const options: ScheduleOptions = {
      scheduleId: d.temporalScheduleId,
      spec,
      action: {
        type: 'startWorkflow',
        workflowType: SCHEDULED_RUN_WORKFLOW,
        taskQueue: this.options.taskQueue,
        // Temporal appends each firing's time: one workflow id per firing.
        workflowId: d.temporalScheduleId,
        args: [input],
        typedSearchAttributes: [
          { key: ChunkwisePlanId, value: d.planId },
          { key: ChunkwisePlanTitle, value: d.planTitle.slice(0, 200) },
        ],
      },
      policies: { overlap: TEMPORAL_OVERLAP[d.overlap], catchupWindow: CATCHUP_WINDOW },
      memo: { planId: d.planId, scheduleId: d.scheduleId },
      state: { paused: d.paused, note: d.note ?? undefined, remainingActions },
    };
    return this.call(async (client) => {
      try {
        await client.schedule.create(options);
        return 'created';
      } catch (e) {
        if (e instanceof ScheduleAlreadyRunning) return 'exists';
        if (isInvalidSpec(e))
          throw new DomainError(
            'invalid_command',
            `Temporal refused the schedule: ${e instanceof Error ? e.message : String(e)}`,
          );
        throw e;
      }
    });
  }

  pause(id: string, note?: string | null): Promise<boolean> {
    return this.onHandle(id, (h) => h.pause(note ?? 'paused in Chunkwise'));
  }

  unpause(id: string, note?: string | null): Promise<boolean> {
    return this.onHandle(id, (h) => h.unpause(note ?? 'resumed in Chunkwise'));
  }

  trigger(id: string, overlap: ScheduleOverlap): Promise<boolean> {
    return this.onHandle(id, (h) => h.trigger(TEMPORAL_OVERLAP[overlap]));
  }

  delete(id: string): Promise<boolean> {
    return this.onHandle(id, (h) => h.delete());
  }

  describe(id: string): Promise<ScheduleLiveInfo | null> {
    return this.call(async (client) => {
      try {
        const d = await client.schedule.getHandle(id).describe();
        return {
          paused: d.state.paused,
          note: d.state.note ?? null,
          nextRunTimes: d.info.nextActionTimes.map(iso),
          recentRuns: d.info.recentActions.map(runOf),
          runningWorkflows: d.info.runningActions.map((a) => a.workflow.workflowId),
          actionsTaken: d.info.numActionsTaken,
          skippedOverlap: d.info.numActionsSkippedOverlap,
          remainingActions: d.state.remainingActions ?? null,
        };
      } catch (e) {
        if (e instanceof ScheduleNotFoundError) return null;
        throw e;
      }
    });
  }

  list(): Promise<ListedSchedule[]> {
    return this.call(async (client) => {
      const listed: ListedSchedule[] = [];
      for await (const s of client.schedule.list()) {
        const memo = (s.memo ?? {}) as { planId?: unknown; scheduleId?: unknown };
        if (!s.scheduleId.startsWith(PLAN_SCHEDULE_PREFIX)) continue;
        if (typeof memo.planId !== 'string' || typeof memo.scheduleId !== 'string') continue;
        listed.push({
          temporalScheduleId: s.scheduleId,
          planId: memo.planId,
          scheduleId: memo.scheduleId,
          paused: s.state.paused,
          nextRunTimes: s.info.nextActionTimes.map(iso),
        });
      }
      return listed;
    });
  }
}

/** Temporal's refusal of a spec (the SDK turns "Invalid schedule spec" into a TypeError). */
function isInvalidSpec(e: unknown): boolean {
  if (e instanceof TypeError) return true;
  for (let c: unknown = e, depth = 0; c && depth < 4; c = (c as { cause?: unknown }).cause, depth++)
    if ((c as { code?: unknown }).code === GRPC_INVALID_ARGUMENT) return true;
  return false;
}
