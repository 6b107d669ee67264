import { ConflictException, Inject, Injectable } from '@nestjs/common';
import { RollbackService, type RollbackAnswer, type RollbackRequest } from '@chunkwise/application';
import type { EventStore } from '@chunkwise/event-store';
import { ProjectionSync } from '../infrastructure/projection-sync.service';
import { EVENT_STORE } from '../infrastructure/tokens';

/**
 * A rollback as every transport answers it (REST and gRPC): run it, wait until the read models show
 * its result (read-your-writes), and turn a failed one into a 409 carrying the conflict.
 */
@Injectable()
export class RollbackAnswers {
  constructor(
    private readonly rollbacks: RollbackService,
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    private readonly sync: ProjectionSync,
  ) {}

  async rollback(planId: string, request: RollbackRequest): Promise<RollbackAnswer> {
    const answer = await this.rollbacks.rollback(planId, request);
    await this.sync.waitFor(await this.eventStore.headPosition());
    if (answer.status === 'failed') {
      const conflict = answer.outcome && !answer.outcome.ok ? answer.outcome : null;
      throw new ConflictException({
        message: conflict?.reason ?? 'the rollback failed',
        code: conflict?.conflict ? 'rollback_conflict' : 'rollback_failed',
        rollback: answer,
      });
    }
    return answer;
  }
}
