import {
  planAggregate,
  type PlanState,
  type PlanStreamCommand,
  type PlanStreamEvent,
} from '@chunkwise/domain';
import type { EventStore } from '@chunkwise/event-store';
import { CommandHandler, type CommandOptions, type CommandResult } from './command-handler';
import { PlanNotFoundError } from './errors';

export type ExecuteOptions = CommandOptions<PlanStreamEvent>;
export type ExecuteResult = CommandResult<PlanStreamEvent, PlanState>;

/**
 * The write path of plans: the generic command handler over the plan aggregate (content, planning
 * and execution commands, and the events a session workflow records).
 */
export class PlanCommandService extends CommandHandler<PlanStreamCommand, PlanStreamEvent, PlanState> {
  constructor(store: EventStore, options: { maxAttempts?: number; cachedStreams?: number } = {}) {
    super(store, planAggregate, { notFound: (id) => new PlanNotFoundError(id), ...options });
  }
}
