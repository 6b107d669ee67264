import { Inject } from '@nestjs/common';
import { type IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import type { Health, Readiness } from '../common/api-schemas';
import type { ChunkwiseConfig } from '@chunkwise/config';
import { CHUNKWISE_CONFIG } from '../infrastructure/tokens';
import { HealthService } from './health.service';

export class GetHealthQuery extends Query<Health> {}
export class GetReadinessQuery extends Query<Readiness> {}

/** Ready when every check is up: event store writable, disk, Temporal reachable, projector keeping up. */
@QueryHandler(GetReadinessQuery)
export class GetReadinessHandler implements IQueryHandler<GetReadinessQuery> {
  constructor(private readonly health: HealthService) {}

  async execute(): Promise<Readiness> {
    const checks = await this.health.checks();
    const ready = Object.values(checks).every((c) => c.state === 'up');
    return { status: ready ? 'ready' : 'not_ready', checks };
  }
}

/**
 * GET /api/health (kept for existing clients): `ok` when plans can be read and written — the event
 * store takes writes, the disk has room, the stores answer. The projector's lag is reported in
 * `checks` but does not make it `unavailable`; Temporal is not checked (plan routes do not need it,
 * and `chunkwise up` polls this route before Temporal may be up). Readiness checks both.
 */
@QueryHandler(GetHealthQuery)
export class GetHealthHandler implements IQueryHandler<GetHealthQuery> {
  constructor(
    @Inject(CHUNKWISE_CONFIG) private readonly config: ChunkwiseConfig,
    private readonly health: HealthService,
  ) {}

  async execute(): Promise<Health> {
    const checks = await this.health.storageChecks();
    const { eventStore, disk, projector } = checks;
    const readable = projector.checkpoint !== null;
    const ok = eventStore.state === 'up' && disk.state === 'up' && readable;
    const failing = [eventStore, disk, ...(readable ? [] : [projector])].filter((c) => c.state === 'down');
    return {
      status: ok ? 'ok' : 'unavailable',
      eventStore: this.config.eventStore.kind,
      readModels: {
        kind: this.config.readModels.kind,
        checkpoint: projector.checkpoint,
        head: projector.head,
        lag: projector.lag,
        projector: projector.mode,
      },
      ...(ok ? {} : { error: failing.map((c) => c.message).join('; ') }),
      checks,
    };
  }
}
