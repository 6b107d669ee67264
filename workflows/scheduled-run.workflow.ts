/**
 * One firing of a plan's schedule (the action of its Temporal Schedule). It lives as long as the
 * session it starts, so that Temporal's overlap policy (docs/schedules.md) sees a firing as running
 * while its session runs. Deterministic: every decision is an activity's answer.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { FiringResult, ScheduleActivities, ScheduledRunInput } from '@chunkwise/contracts';

const { fireSchedule } = proxyActivities<ScheduleActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

// Waits for a session's end: as long as the session takes; a dead worker is noticed by the heartbeat.
const { awaitSessionEnd } = proxyActivities<ScheduleActivities>({
  startToCloseTimeout: '3650 days',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/**
 * Starts a session of the plan through the session service (the activity records ScheduleFired), or
 * records why not (ScheduleFiringSkipped). With `queue` overlap, a session already active makes it
 * wait (ScheduleFiringQueued) for that session to end, then try again.
 */
export async function scheduledPlanRunWorkflow(input: ScheduledRunInput): Promise<FiringResult> {
  // The workflow id is the schedule's id plus the firing's time: unique per firing.
  const firingId = workflowInfo().workflowId;
  for (;;) {
    const result = await fireSchedule({ ...input, firingId });
    if (result.outcome === 'skipped') return result;
    if (result.outcome === 'fired') {
      await awaitSessionEnd({ workflowId: result.workflowId });
      return result;
    }
    await awaitSessionEnd({ workflowId: result.behindWorkflowId });
  }
}
