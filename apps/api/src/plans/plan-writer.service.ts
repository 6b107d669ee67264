import { Inject, Injectable } from '@nestjs/common';
import type { ExecuteResult } from '@chunkwise/application';
import type { PlanCommand } from '@chunkwise/domain';
import type { WriteOptions } from '../common/request-context';
import { ProjectionSync } from '../projection/projection-sync.service';
import type { ApiRuntime } from '../projection/api-runtime';
import { API_RUNTIME } from '../tokens';

export type { WriteOptions };

export interface WriteOutcome {
  id: string;
  revision: number;
  /** False when the read models had not caught up within the timeout (the write is stored anyway). */
  projected: boolean;
  result: ExecuteResult;
}

/** Runs a domain command through PlanCommandService, then waits for the projection (read-your-writes). */
@Injectable()
export class PlanWriter {
  constructor(
    @Inject(API_RUNTIME) private readonly runtime: ApiRuntime,
    private readonly sync: ProjectionSync,
  ) {}

  async execute(planId: string, command: PlanCommand, options: WriteOptions): Promise<WriteOutcome> {
    const result = await this.runtime.service.execute(planId, command, {
      expectedRevision: options.expectedRevision,
      actor: options.actor,
      correlationId: options.correlationId,
    });
    const projected = await this.sync.waitFor(result.position);
    return { id: planId, revision: result.revision, projected, result };
  }
}
