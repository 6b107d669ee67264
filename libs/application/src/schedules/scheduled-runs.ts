import { createHash } from 'node:crypto';
import { DomainError, planSchedules, type PlanState, type ScheduleFiringOutcome } from '@chunkwise/domain';
import {
  planScheduleId,
  sessionWorkflowId,
  type FireScheduleInput,
  type FiringResult,
} from '@chunkwise/contracts';
import { eventIdFromKey } from '@chunkwise/event-store';
import { PlanNotFoundError, TemporalUnavailableError } from '../errors';
import type { PlanCommandService } from '../plan-command-service';
import { SessionStateError, type SessionService } from '../session-service';
import type { SessionWorkflows } from '../session-workflows';
import type { PlanSchedules } from './plan-schedules';

/** The session a firing starts: derived from the firing, so that a retried firing finds the session it started. */
export const firingSessionId = (firingId: string) =>
  `s_${createHash('sha256').update(`chunkwise-firing:${firingId}`).digest('hex').slice(0, 10)}`;

const isActive = (state: PlanState) =>
  state.session?.status === 'running' || state.session?.status === 'paused';

/**
 * What a schedule's firing does (run by the `fireSchedule` activity in the worker): start a session of
 * the plan through SessionService.execute (the same RequestExecution write and workflow start as
 * POST /plans/:id/execute), or record why not. Every outcome is an event on the plan's stream with an
 * id derived from the firing, so a retried activity records nothing twice.
 */
export class ScheduledRuns {
  constructor(
    private readonly plans: PlanCommandService,
    private readonly sessions: SessionService,
    private readonly workflows: SessionWorkflows,
    private readonly schedules: PlanSchedules,
  ) {}

  async fire(input: FireScheduleInput): Promise<FiringResult> {
    const { planId, scheduleId, firingId } = input;
    const sessionId = firingSessionId(firingId);
    for (let attempt = 1; ; attempt++) {
      const { state } = await this.plans.load(planId);
      const schedule = state.exists ? planSchedules(state)[scheduleId] : undefined;
      if (!schedule || schedule.status === 'failed') {
        // A schedule its plan does not hold (never recorded, or its creation failed): it must not exist.
        await this.schedules.delete(planScheduleId(planId, scheduleId)).catch(() => false);
        return { outcome: 'skipped', reason: `plan ${planId} has no schedule ${scheduleId}` };
      }
      if (state.sessions.includes(sessionId)) {
        // An earlier attempt started the session: record it (again: a no-op if it was).
        await this.record(input, { outcome: 'fired', sessionId });
        return { outcome: 'fired', sessionId, workflowId: sessionWorkflowId(planId, sessionId) };
      }
      if (schedule.status === 'deleted' || schedule.status === 'paused') {
        // Recorded as such but Temporal still fired (its call was interrupted): Temporal follows the plan.
        if (schedule.status === 'deleted') await this.schedules.delete(schedule.temporalScheduleId);
        else await this.schedules.pause(schedule.temporalScheduleId, schedule.note);
        return this.skip(input, `schedule ${scheduleId} is ${schedule.status}`);
      }
      if (isActive(state)) {
        const active = state.session!;
        if (schedule.overlap === 'queue') {
          await this.record(input, { outcome: 'queued', behind: active.sessionId });
          return { outcome: 'queued', behind: active.sessionId, behindWorkflowId: active.workflowId };
        }
        return this.skip(input, `session ${active.sessionId} of plan ${planId} is ${active.status}`);
      }
      try {
        await this.sessions.execute(planId, { sessionId, timing: input.timing, from: schedule.from });
      } catch (e) {
        const refused =
          e instanceof SessionStateError || e instanceof DomainError || e instanceof PlanNotFoundError;
        if (!refused) throw e; // the engine or the store failed: the activity retries
        // Another session may have started in between: decide again on the fresh state, once.
        if (attempt < 2) continue;
        return this.skip(input, e.message);
      }
      await this.record(input, { outcome: 'fired', sessionId });
      return { outcome: 'fired', sessionId, workflowId: sessionWorkflowId(planId, sessionId) };
    }
  }

  /** Waits until a session's workflow ends, however it ends (completed, failed, gone). */
  async awaitSession(workflowId: string): Promise<void> {
    try {
      await this.workflows.result(workflowId);
    } catch (e) {
      if (e instanceof TemporalUnavailableError) throw e;
    }
  }

  private async skip(input: FireScheduleInput, reason: string): Promise<FiringResult> {
    await this.record(input, { outcome: 'skipped', reason });
    return { outcome: 'skipped', reason };
  }

  private async record(input: FireScheduleInput, outcome: ScheduleFiringOutcome): Promise<void> {
    await this.plans.execute(
      input.planId,
      { type: 'RecordScheduleFiring', scheduleId: input.scheduleId, firingId: input.firingId, ...outcome },
      {
        actor: 'schedule',
        metadata: { source: 'schedule' },
        eventId: () => eventIdFromKey(`${input.firingId}/${outcome.outcome}`),
      },
    );
  }
}
