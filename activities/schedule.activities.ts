import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ScheduleActivities } from '@chunkwise/contracts';
import { heartbeatMsOf, type SessionActivityDeps } from './deps';
import { heartbeating } from './heartbeat';

/**
 * A schedule's firing: start the plan's session through the application's ScheduledRuns (the same
 * execute path as the API), and wait for the session to end. Idempotent: a retried firing finds the
 * session it started and records nothing twice.
 */
export function createScheduleActivities(
  deps: Pick<SessionActivityDeps, 'scheduledRuns' | 'heartbeatMs'>,
): ScheduleActivities {
  const runs = () => {
    if (!deps.scheduledRuns)
      throw ApplicationFailure.nonRetryable(
        'this worker was started without scheduled runs',
        'NoScheduledRuns',
      );
    return deps.scheduledRuns;
  };
  return {
    fireSchedule: (input) => runs().fire(input),
    // Gives way at once when cancelled (the worker shutting down, the firing's workflow gone); its
    // retry waits again.
    awaitSessionEnd: ({ workflowId }) =>
      heartbeating(heartbeatMsOf(deps), () =>
        Promise.race([runs().awaitSession(workflowId), Context.current().cancelled]),
      ),
  };
}
