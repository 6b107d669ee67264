import { Command } from '@nestjs/cqrs';
import type { PlanDetailsChanges, PlanSource } from '@chunkwise/domain';
import type { WriteOptions, WriteOutcome } from '../plan-writer.service';

export class CreatePlanCommand extends Command<WriteOutcome> {
  constructor(
    readonly document: unknown,
    readonly source: PlanSource,
    readonly options: WriteOptions,
  ) {
    super();
  }
}

export class UpdatePlanDetailsCommand extends Command<WriteOutcome> {
  constructor(
    readonly planId: string,
    readonly changes: PlanDetailsChanges,
    readonly options: WriteOptions,
  ) {
    super();
  }
}

export class ArchivePlanCommand extends Command<WriteOutcome> {
  constructor(
    readonly planId: string,
    readonly options: WriteOptions,
  ) {
    super();
  }
}

export class FinalizePlanCommand extends Command<WriteOutcome> {
  constructor(
    readonly planId: string,
    readonly options: WriteOptions,
  ) {
    super();
  }
}

export class ReopenPlanCommand extends Command<WriteOutcome> {
  constructor(
    readonly planId: string,
    readonly reason: string | undefined,
    readonly options: WriteOptions,
  ) {
    super();
  }
}

export class RecordFeedbackCommand extends Command<WriteOutcome> {
  constructor(
    readonly planId: string,
    readonly feedback: string,
    readonly author: string | undefined,
    readonly options: WriteOptions,
  ) {
    super();
  }
}
