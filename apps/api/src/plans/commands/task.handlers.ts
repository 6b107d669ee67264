import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { PlanWriter, type WriteOutcome } from '../plan-writer.service';
import {
  AddTaskCommand,
  MoveTaskCommand,
  RemoveTaskCommand,
  SetTaskDependenciesCommand,
  UpdateTaskCommand,
} from './task.commands';

@CommandHandler(AddTaskCommand)
export class AddTaskHandler implements ICommandHandler<AddTaskCommand> {
  constructor(private readonly writer: PlanWriter) {}
  execute({ planId, task, beforeTaskId, options }: AddTaskCommand): Promise<WriteOutcome> {
    return this.writer.execute(planId, { type: 'AddTask', task, beforeTaskId }, options);
  }
}

@CommandHandler(UpdateTaskCommand)
export class UpdateTaskHandler implements ICommandHandler<UpdateTaskCommand> {
  constructor(private readonly writer: PlanWriter) {}
  execute({ planId, taskId, changes, options }: UpdateTaskCommand): Promise<WriteOutcome> {
    return this.writer.execute(planId, { type: 'UpdateTask', taskId, changes }, options);
  }
}

@CommandHandler(SetTaskDependenciesCommand)
export class SetTaskDependenciesHandler implements ICommandHandler<SetTaskDependenciesCommand> {
  constructor(private readonly writer: PlanWriter) {}
  execute({ planId, taskId, dependsOn, options }: SetTaskDependenciesCommand): Promise<WriteOutcome> {
    return this.writer.execute(planId, { type: 'SetTaskDependencies', taskId, dependsOn }, options);
  }
}

@CommandHandler(MoveTaskCommand)
export class MoveTaskHandler implements ICommandHandler<MoveTaskCommand> {
  constructor(private readonly writer: PlanWriter) {}
  execute({ planId, taskId, toChunk, beforeTaskId, options }: MoveTaskCommand): Promise<WriteOutcome> {
    return this.writer.execute(planId, { type: 'MoveTask', taskId, toChunk, beforeTaskId }, options);
  }
}

@CommandHandler(RemoveTaskCommand)
export class RemoveTaskHandler implements ICommandHandler<RemoveTaskCommand> {
  constructor(private readonly writer: PlanWriter) {}
  execute({ planId, taskId, options }: RemoveTaskCommand): Promise<WriteOutcome> {
    return this.writer.execute(planId, { type: 'RemoveTask', taskId }, options);
  }
}
