import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { PlanCommandService, type ExecuteResult } from '@chunkwise/application';
import type { PlanCommand } from '@chunkwise/domain';
import type { WriteOptions } from '../common/request-context';
import { ProjectionSync } from '../infrastructure/projection-sync.service';

export interface WriteOutcome {
  id: string;
  revision: number;
  /** False when the read models had not caught up within the timeout (the write is stored anyway). */
  projected: boolean;
  result: ExecuteResult;
}

/** A domain command on one plan, with the options of the request that carries it. */
export class WritePlanCommand extends Command<WriteOutcome> {
  constructor(
    readonly planId: string,
    readonly command: PlanCommand,
    readonly options: WriteOptions,
  ) {
    super();
  }
}

/** Runs the command through the plan write path, then waits for the read models (read-your-writes). */
@CommandHandler(WritePlanCommand)
export class WritePlanHandler implements ICommandHandler<WritePlanCommand> {
  constructor(
    private readonly plans: PlanCommandService,
    private readonly sync: ProjectionSync,
  ) {}

  async execute({ planId, command, options }: WritePlanCommand): Promise<WriteOutcome> {
    const result = await this.plans.execute(planId, command, {
      expectedRevision: options.expectedRevision,
      actor: options.actor,
      correlationId: options.correlationId,
    });
    const projected = await this.sync.waitFor(result.position);
    return { id: planId, revision: result.revision, projected, result };
  }
}
