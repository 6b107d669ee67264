import { PlanCommandService } from '@chunkwise/application';
import type { RecordEventsInput } from '@chunkwise/contracts';
import type { ExecutionEvent } from '@chunkwise/domain';
import { eventIdFromKey } from '@chunkwise/event-store';
import type { SessionActivityDeps } from './deps';

/**
 * Appends the workflow's events to the plan's stream through the plan's one write path. Idempotent:
 * each event's id derives from its key (session and sequence number), so a retried batch is a no-op.
 */
export function createEventActivities(deps: Pick<SessionActivityDeps, 'eventStore'>) {
  const plans = new PlanCommandService(deps.eventStore);
  return {
    async recordEvents(input: RecordEventsInput): Promise<void> {
      await plans.execute(
        input.planId,
        {
          type: 'RecordExecutionEvents',
          events: input.events.map(({ type, data }) => ({ type, data }) as ExecutionEvent),
        },
        { eventId: (_e, i) => eventIdFromKey(input.events[i].key), metadata: { source: 'session' } },
      );
    },
  };
}
