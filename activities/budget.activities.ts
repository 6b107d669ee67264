import { PlanCommandService } from '@chunkwise/application';
import type { ReadBudgetInput } from '@chunkwise/contracts';
import { budgetReading, type BudgetReading } from '@chunkwise/domain';
import type { SessionActivityDeps } from './deps';

/** Reads the plan's budget for the workflow's budget gate (workflows/budget-gate.ts): a raised budget is seen on resume. */
export function createBudgetActivities(deps: Pick<SessionActivityDeps, 'eventStore'>) {
  const plans = new PlanCommandService(deps.eventStore);
  return {
    async readBudget(input: ReadBudgetInput): Promise<BudgetReading> {
      const { state } = await plans.load(input.planId);
      return budgetReading(state, input.sessionId);
    },
  };
}
