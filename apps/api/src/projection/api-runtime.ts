import type { PlanCommandService, PlanningService } from '@chunkwise/application';
import type { ChunkwiseConfig } from '@chunkwise/config';
import type { EventStore } from '@chunkwise/event-store';
import type { ReadModelStore } from '@chunkwise/read-models';
import type { RepositoryService } from '../repositories/repository-service';
import type { TemporalAccess } from '../sessions/temporal-access';

/** The projector as the API uses it (implemented by @chunkwise/read-models' Projector). */
export interface ApiProjector {
  start(): Promise<void>;
  stop(): Promise<void>;
  waitForPosition(position: number, timeoutMs: number): Promise<boolean>;
  /** Whether this instance holds the projector lock (false: standby). */
  readonly isActive: boolean;
}

/** Everything the API process holds for its lifetime; created by createApp, closed by app.close(). */
export interface ApiRuntime {
  config: ChunkwiseConfig;
  eventStore: EventStore;
  readModels: ReadModelStore;
  service: PlanCommandService;
  /** Planning with Claude: generate, review, apply, refine, diff (the LLM client is created on first use). */
  planning: PlanningService;
  /** Registered repositories (event-sourced on `repository-<id>` streams). */
  repositories: RepositoryService;
  /** The lazily connected Temporal client and the SessionService over it (execution routes). */
  temporal: TemporalAccess;
  /** Null when config.runProjector is false (another process projects). */
  projector: ApiProjector | null;
  /** How long a write waits for the projector to reach it (read-your-writes). */
  projectionTimeoutMs: number;
  /** Stops the projector, closes the Temporal connection it opened and the stores it created. Idempotent. */
  close(): Promise<void>;
}
