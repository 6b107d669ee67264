import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '@chunkwise/domain';
import { newPlanId } from '../plan-ids';
import { PlanWriter, type WriteOutcome } from '../plan-writer.service';
import {
  ArchivePlanCommand,
  CreatePlanCommand,
  FinalizePlanCommand,
  RecordFeedbackCommand,
  ReopenPlanCommand,
  UpdatePlanDetailsCommand,
} from './plan.commands';

@CommandHandler(CreatePlanCommand)
export class CreatePlanHandler implements ICommandHandler<CreatePlanCommand> {
  constructor(private readonly writer: PlanWriter) {}

  async execute({ document, source, options }: CreatePlanCommand): Promise<WriteOutcome> {
    // A fresh id is practically never taken; should it be, the append (expected: no stream) or the
    // decider refuses it and another id is drawn.
    for (let attempt = 1; ; attempt++) {
      const planId = newPlanId();
      try {
        return await this.writer.execute(planId, { type: 'CreatePlan', planId, document, source }, options);
      } catch (e) {
        if (attempt < 3 && e instanceof DomainError && e.code === 'plan_already_exists') continue;
        throw e;
      }
    }
  }
}

@CommandHandler(UpdatePlanDetailsCommand)
export class UpdatePlanDetailsHandler implements ICommandHandler<UpdatePlanDetailsCommand> {
  constructor(private readonly writer: PlanWriter) {}
  execute({ planId, changes, options }: UpdatePlanDetailsCommand): Promise<WriteOutcome> {
    return this.writer.execute(planId, { type: 'UpdatePlanDetails', changes }, options);
  }
}

@CommandHandler(ArchivePlanCommand)
export class ArchivePlanHandler implements ICommandHandler<ArchivePlanCommand> {
  constructor(private readonly writer: PlanWriter) {}
  execute({ planId, options }: ArchivePlanCommand): Promise<WriteOutcome> {
    return this.writer.execute(planId, { type: 'ArchivePlan' }, options);
  }
}

@CommandHandler(FinalizePlanCommand)
export class FinalizePlanHandler implements ICommandHandler<FinalizePlanCommand> {
  constructor(private readonly writer: PlanWriter) {}
  execute({ planId, options }: FinalizePlanCommand): Promise<WriteOutcome> {
    return this.writer.execute(planId, { type: 'FinalizePlan' }, options);
  }
}

@CommandHandler(ReopenPlanCommand)
export class ReopenPlanHandler implements ICommandHandler<ReopenPlanCommand> {
  constructor(private readonly writer: PlanWriter) {}
  execute({ planId, reason, options }: ReopenPlanCommand): Promise<WriteOutcome> {
    return this.writer.execute(planId, { type: 'ReopenPlan', reason }, options);
  }
}

@CommandHandler(RecordFeedbackCommand)
export class RecordFeedbackHandler implements ICommandHandler<RecordFeedbackCommand> {
  constructor(private readonly writer: PlanWriter) {}
  execute({ planId, feedback, author, options }: RecordFeedbackCommand): Promise<WriteOutcome> {
    return this.writer.execute(planId, { type: 'RecordFeedback', feedback, author }, options);
  }
}
