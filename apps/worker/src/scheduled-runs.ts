import { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { PlanCommandService, RepositoryService, ScheduledRuns, SessionService } from '@chunkwise/application';
import type { BudgetDefaults } from '@chunkwise/domain';
import type { EventStore } from '@chunkwise/event-store';
import { TemporalPlanSchedules, TemporalSessionWorkflows } from '@chunkwise/temporal';

export interface ScheduledRunsOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  eventStore: EventStore;
  /** Default budgets from configuration, as the API gives its sessions. */
  budgets?: BudgetDefaults;
}

/**
 * What a schedule's firing needs in the worker: the plan write path, the session service (as the API
 * builds it: registered repositories, budgets) and a Temporal client on the worker's own connection.
 */
export function createScheduledRuns(o: ScheduledRunsOptions): ScheduledRuns {
  const client = new Client({ connection: o.connection, namespace: o.namespace });
  const address = "the worker's Temporal connection";
  const workflows = new TemporalSessionWorkflows({
    address,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    client,
  });
  const plans = new PlanCommandService(o.eventStore);
  const sessions = new SessionService(plans, workflows, {
    repositories: new RepositoryService(o.eventStore),
    budgets: o.budgets,
  });
  return new ScheduledRuns(
    plans,
    sessions,
    workflows,
    new TemporalPlanSchedules(workflows, { address, taskQueue: o.taskQueue }),
  );
}
