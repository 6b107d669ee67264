/**
 * Temporal activities: thin and idempotent; the real work lives in libs (git, agents, event
 * store). Each may be retried after a worker crash, so each either repeats harmlessly (reset and
 * rerun a turn, rerun QA) or detects its own earlier success (commits carry task trailers; events
 * carry deterministic ids). The worker registers `createActivities(deps)`.
 */
import type { ChunkwiseActivities, SessionActivities } from '@chunkwise/contracts';
import type { SessionActivityDeps } from './deps';
import { createBudgetActivities } from './budget.activities';
import { createEventActivities } from './events.activities';
import { createGitActivities } from './git.activities';
import { ping } from './ping.activities';
import { createQaActivities } from './qa.activities';
import { createRollbackActivities } from './rollback.activities';
import { createScheduleActivities } from './schedule.activities';
import { createTurnActivities } from './turn.activities';

export type { SessionActivityDeps } from './deps';
export { ping } from './ping.activities';

/** The activities of the plan session workflow, under the names the workflow proxies. */
export function createSessionActivities(deps: SessionActivityDeps): SessionActivities {
  return {
    ...createEventActivities(deps),
    ...createBudgetActivities(deps),
    ...createGitActivities(deps),
    ...createTurnActivities(deps),
    ...createQaActivities(deps),
  };
}

/** Everything a worker registers: the connectivity `ping`, the session, rollback and schedule activities. */
export function createActivities(deps: SessionActivityDeps): ChunkwiseActivities {
  return {
    ping,
    ...createSessionActivities(deps),
    ...createRollbackActivities(deps),
    ...createScheduleActivities(deps),
  };
}
