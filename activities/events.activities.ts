import type { RecordEventsInput } from '@chunkwise/contracts';
import { planStreamId } from '@chunkwise/domain';
import { eventIdFromKey } from '@chunkwise/event-store';
import type { SessionActivityDeps } from './deps';

/**
 * Appends the workflow's events to the plan's stream. Idempotent: each event's id derives from its
 * key (session and sequence number), so a retried append stores nothing twice.
 */
export function createEventActivities(deps: Pick<SessionActivityDeps, 'eventStore'>) {
  return {
    async recordEvents(input: RecordEventsInput): Promise<void> {
      await deps.eventStore.append(
        planStreamId(input.planId),
        input.events.map((e) => ({
          id: eventIdFromKey(e.key),
          type: e.type,
          data: e.data,
          metadata: { source: 'session' },
        })),
        { expectedRevision: 'any' },
      );
    },
  };
}
