import type { Aggregate } from './aggregate';
import type { PlanCommand } from './commands';
import { checkPlanInvariants, decidePlanCommand, evolve, initialState } from './decider';
import type { PlanEvent } from './events';
import { decideExecution, isExecutionCommand, type ExecutionCommand } from './execution-commands';
import type { ExecutionEvent } from './execution-events';
import { decideRollback, isRollbackCommand, type RollbackCommand } from './rollback';
import type { RollbackEvent } from './rollback-events';
import { planStreamId } from './events';
import type { PlanState } from './state';
import { decideSchedule, isScheduleCommand, type ScheduleCommand } from './schedules';

/** Every command decided on a plan's stream: content and planning commands, and execution commands. */
export type PlanStreamCommand = PlanCommand | ExecutionCommand | RollbackCommand | ScheduleCommand;
export type PlanStreamEvent = PlanEvent | ExecutionEvent | RollbackEvent;

/** The plan aggregate as the write path uses it. */
export const planAggregate: Aggregate<PlanStreamCommand, PlanStreamEvent, PlanState> = {
  initialState,
  evolve,
  decide: (command, state) =>
    isScheduleCommand(command)
      ? decideSchedule(command, state)
      : isExecutionCommand(command)
        ? decideExecution(command, state)
        : isRollbackCommand(command)
          ? decideRollback(command, state)
          : decidePlanCommand(command, state),
  check: checkPlanInvariants,
  streamId: planStreamId,
  exists: (state) => state.exists,
  creates: (command) => command.type === 'CreatePlan',
  revision: (state) => state.revision,
};
