import { Command } from '@nestjs/cqrs';
import type { TaskChanges, TaskInput } from '@chunkwise/domain';
import type { WriteOptions, WriteOutcome } from '../plan-writer.service';

export class AddTaskCommand extends Command<WriteOutcome> {
  constructor(
    readonly planId: string,
    readonly task: TaskInput,
    readonly beforeTaskId: string | undefined,
    readonly options: WriteOptions,
  ) {
    super();
  }
}

export class UpdateTaskCommand extends Command<WriteOutcome> {
  constructor(
    readonly planId: string,
    readonly taskId: string,
    readonly changes: TaskChanges,
    readonly options: WriteOptions,
  ) {
    super();
  }
}

export class SetTaskDependenciesCommand extends Command<WriteOutcome> {
  constructor(
    readonly planId: string,
    readonly taskId: string,
    readonly dependsOn: string[],
    readonly options: WriteOptions,
  ) {
    super();
  }
}

export class MoveTaskCommand extends Command<WriteOutcome> {
  constructor(
    readonly planId: string,
    readonly taskId: string,
    readonly toChunk: string,
    readonly beforeTaskId: string | undefined,
    readonly options: WriteOptions,
  ) {
    super();
  }
}

export class RemoveTaskCommand extends Command<WriteOutcome> {
  constructor(
    readonly planId: string,
    readonly taskId: string,
    readonly options: WriteOptions,
  ) {
    super();
  }
}
