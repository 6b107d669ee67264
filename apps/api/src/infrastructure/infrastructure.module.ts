import {
  type DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Client } from '@temporalio/client';
import {
  PlanCommandService,
  PlanningService,
  RepositoryService,
  RollbackService,
  ScheduleService,
  SessionService,
} from '@chunkwise/application';
import type { ChunkwiseConfig } from '@chunkwise/config';
import type { EventStore } from '@chunkwise/event-store';
import { AnthropicLlm, llmConfigFromEnv, type LlmPort } from '@chunkwise/llm';
import type { ReadModelStore } from '@chunkwise/read-models';
import { TemporalPlanSchedules, TemporalSessionWorkflows } from '@chunkwise/temporal';
import type { SessionWorkflowInput } from '@chunkwise/contracts';
import type { ApiProjector } from './api-projector';
import type { HealthOptions } from './health-options';
import { ProjectionSync } from './projection-sync.service';
import { typicalTurnFromLedger } from '../usage/usage-ledger-reader';
import {
  CHUNKWISE_CONFIG,
  EVENT_STORE,
  HEALTH_OPTIONS,
  PROJECTION_TIMEOUT_MS,
  PROJECTOR,
  READ_MODEL_STORE,
} from './tokens';

/** What createApp opened or was given: the stores, the projector, and the knobs of the providers. */
export interface Infrastructure {
  config: ChunkwiseConfig;
  eventStore: EventStore;
  readModels: ReadModelStore;
  /** Null when config.runProjector is false (another process projects). */
  projector: ApiProjector | null;
  /** Stores createApp opened (closed with the app); given ones stay the caller's. */
  owned: Array<{ close(): Promise<void> }>;
  projectionTimeoutMs: number;
  temporalClient?: Client;
  temporalConnectTimeoutMs?: number;
  sessionTiming?: SessionWorkflowInput['timing'];
  llm?: LlmPort;
  /** Thresholds and timeouts of the readiness checks (health/health.service.ts HealthOptions). */
  health?: HealthOptions;
}

const INFRASTRUCTURE = Symbol('INFRASTRUCTURE');
const warning = (what: string, e: unknown) => `${what} failed: ${e instanceof Error ? e.message : String(e)}`;

/** Starts the projector with the application; on `app.close()` closes Temporal, the projector, then the stores. */
@Injectable()
class InfrastructureLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Infrastructure');

  constructor(
    @Inject(INFRASTRUCTURE) private readonly parts: Infrastructure,
    private readonly temporal: TemporalSessionWorkflows,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.parts.projector) {
      new Logger('Projector').log(
        'projector disabled in this process (CHUNKWISE_PROJECTOR=false); reads follow another projector',
      );
      return;
    }
    await this.parts.projector.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.temporal.close().catch((e) => this.logger.warn(warning('closing the Temporal connection', e)));
    await this.parts.projector?.stop().catch((e) => this.logger.warn(warning('stopping the projector', e)));
    for (const store of this.parts.owned)
      await store.close().catch((e) => this.logger.warn(warning('closing a store', e)));
  }
}

/**
 * The infrastructure providers, one per service, each injected for what it is: the stores, the
 * projector and read-your-writes, the plan write path, repositories, the Temporal adapter of the
 * SessionWorkflows port, sessions and planning.
 */
@Module({})
export class InfrastructureModule {
  static forRoot(parts: Infrastructure): DynamicModule {
    const { config } = parts;
    const exported = [
      CHUNKWISE_CONFIG,
      EVENT_STORE,
      READ_MODEL_STORE,
      PROJECTOR,
      PROJECTION_TIMEOUT_MS,
      HEALTH_OPTIONS,
      ProjectionSync,
      PlanCommandService,
      RepositoryService,
      TemporalSessionWorkflows,
      SessionService,
      RollbackService,
      PlanningService,
      ScheduleService,
    ];
    return {
      module: InfrastructureModule,
      global: true,
      providers: [
        { provide: INFRASTRUCTURE, useValue: parts },
        { provide: CHUNKWISE_CONFIG, useValue: config },
        { provide: EVENT_STORE, useValue: parts.eventStore },
        { provide: READ_MODEL_STORE, useValue: parts.readModels },
        { provide: PROJECTOR, useValue: parts.projector },
        { provide: PROJECTION_TIMEOUT_MS, useValue: parts.projectionTimeoutMs },
        { provide: HEALTH_OPTIONS, useValue: parts.health ?? {} },
        ProjectionSync,
        {
          provide: PlanCommandService,
          inject: [EVENT_STORE],
          useFactory: (store: EventStore) => new PlanCommandService(store),
        },
        {
          provide: RepositoryService,
          inject: [EVENT_STORE],
          useFactory: (store: EventStore) => new RepositoryService(store),
        },
        {
          provide: TemporalSessionWorkflows,
          useFactory: () => {
            const logger = new Logger('Temporal');
            return new TemporalSessionWorkflows({
              ...config.temporal,
              client: parts.temporalClient,
              connectTimeoutMs: parts.temporalConnectTimeoutMs,
              onConnected: (m) => logger.log(m),
            });
          },
        },
        {
          provide: SessionService,
          inject: [PlanCommandService, TemporalSessionWorkflows, RepositoryService],
          useFactory: (
            plans: PlanCommandService,
            temporal: TemporalSessionWorkflows,
            repositories: RepositoryService,
          ) =>
            new SessionService(plans, temporal, {
              timing: parts.sessionTiming,
              repositories,
              budgets: config.budgets,
              turnEstimate: () => typicalTurnFromLedger(parts.readModels),
            }),
        },
        {
          provide: RollbackService,
          inject: [PlanCommandService, TemporalSessionWorkflows, RepositoryService],
          useFactory: (
            plans: PlanCommandService,
            temporal: TemporalSessionWorkflows,
            repositories: RepositoryService,
          ) => new RollbackService(plans, temporal, { repositories, timing: parts.sessionTiming }),
        },
        {
          provide: PlanningService,
          inject: [PlanCommandService, RepositoryService],
          useFactory: (plans: PlanCommandService, repositories: RepositoryService) => {
            let llm = parts.llm;
            return new PlanningService(
              plans,
              // Built on first use, so that a server without an API key still serves everything else.
              () =>
                (llm ??= new AnthropicLlm(config.llm ?? llmConfigFromEnv({}), { logger: new Logger('Llm') })),
              {
                resolveRepository: (reference) => repositories.resolvePath(reference),
                budgets: config.budgets,
              },
            );
          },
        },
        {
          provide: ScheduleService,
          inject: [PlanCommandService, TemporalSessionWorkflows],
          useFactory: (plans: PlanCommandService, temporal: TemporalSessionWorkflows) =>
            new ScheduleService(plans, new TemporalPlanSchedules(temporal, config.temporal), {
              timing: parts.sessionTiming,
            }),
        },
        InfrastructureLifecycle,
      ],
      exports: exported,
    };
  }
}
