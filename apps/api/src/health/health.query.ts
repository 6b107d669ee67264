import { Inject, Logger } from '@nestjs/common';
import { type IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import type { Health } from '../common/api-schemas';
import type { ChunkwiseConfig } from '@chunkwise/config';
import type { EventStore } from '@chunkwise/event-store';
import type { ReadModelStore } from '@chunkwise/read-models';
import type { ApiProjector } from '../infrastructure/api-projector';
import { CHUNKWISE_CONFIG, EVENT_STORE, PROJECTOR, READ_MODEL_STORE } from '../infrastructure/tokens';

export class GetHealthQuery extends Query<Health> {}

/** Store kinds, projection checkpoint and lag. A store that cannot be read makes the status `unavailable`. */
@QueryHandler(GetHealthQuery)
export class GetHealthHandler implements IQueryHandler<GetHealthQuery> {
  private readonly logger = new Logger('Health');

  constructor(
    @Inject(CHUNKWISE_CONFIG) private readonly config: ChunkwiseConfig,
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(READ_MODEL_STORE) private readonly readModels: ReadModelStore,
    @Inject(PROJECTOR) private readonly projector: ApiProjector | null,
  ) {}

  async execute(): Promise<Health> {
    const { config, eventStore, readModels, projector } = this;
    const projectorState = !projector ? 'off' : !projector.isActive ? 'standby' : 'active';
    const base = {
      eventStore: config.eventStore.kind,
      kind: config.readModels.kind,
      projector: projectorState,
    } as const;
    try {
      const [checkpoint, head] = await Promise.all([readModels.getCheckpoint(), eventStore.headPosition()]);
      return {
        status: 'ok',
        eventStore: base.eventStore,
        readModels: {
          kind: base.kind,
          checkpoint,
          head,
          lag: Math.max(0, head - checkpoint),
          projector: base.projector,
        },
      };
    } catch (e) {
      this.logger.error(`health check failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return {
        status: 'unavailable',
        eventStore: base.eventStore,
        readModels: { kind: base.kind, checkpoint: null, head: null, lag: null, projector: base.projector },
        error: 'a store cannot be read; see the server log',
      };
    }
  }
}
