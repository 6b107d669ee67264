import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { NativeConnection, Worker } from '@temporalio/worker';
import {
  createChunkwiseWorker,
  createNativeConnection,
  resolveWorkflowSource,
  type TemporalConfig,
  type WorkflowSource,
} from '@chunkwise/temporal';

export const TEMPORAL_WORKER_CONFIG = Symbol('TEMPORAL_WORKER_CONFIG');
export const TEMPORAL_ACTIVITIES = Symbol('TEMPORAL_ACTIVITIES');

export interface TemporalWorkerConfig extends TemporalConfig {
  /** Where workflow code comes from; the prebuilt bundle or workflowsPath by default. */
  workflowSource?: WorkflowSource;
}

/**
 * Hosts one Temporal Worker for the lifetime of the Nest application context: connects and starts
 * polling on module init, drains and stops on application shutdown (SIGINT/SIGTERM).
 */
@Injectable()
export class TemporalWorkerService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(TemporalWorkerService.name);
  private connection?: NativeConnection;
  private worker?: Worker;
  /** Settles (never rejects) when the worker has stopped; `failure` holds why if it failed. */
  private running?: Promise<void>;
  private failure?: unknown;
  private shuttingDown?: Promise<void>;

  constructor(
    @Inject(TEMPORAL_WORKER_CONFIG) private readonly config: TemporalWorkerConfig,
    @Inject(TEMPORAL_ACTIVITIES) private readonly activities: object,
  ) {}

  async onModuleInit(): Promise<void> {
    const { address, namespace, taskQueue } = this.config;
    const workflowSource = this.config.workflowSource ?? resolveWorkflowSource();
    this.logger.log(
      workflowSource.kind === 'bundle'
        ? `Workflows from the prebuilt bundle ${workflowSource.codePath}`
        : `Workflows bundled at start from ${workflowSource.workflowsPath}`,
    );
    this.connection = await createNativeConnection({ address });
    this.worker = await createChunkwiseWorker({
      connection: this.connection,
      namespace,
      taskQueue,
      activities: this.activities,
      workflowSource,
    });
    this.running = this.worker.run().then(
      () => undefined,
      (err: unknown) => {
        this.failure = err;
        this.logger.error(`Temporal worker failed: ${err instanceof Error ? err.stack : String(err)}`);
      },
    );
    this.logger.log(
      `Temporal worker polling task queue "${taskQueue}" on ${address} (namespace ${namespace})`,
    );
  }

  /** Resolves when the worker stops; rejects if it failed. */
  async whenStopped(): Promise<void> {
    await this.running;
    if (this.failure) throw this.failure;
  }

  get state(): string {
    return this.worker?.getState() ?? 'UNINITIALIZED';
  }

  onApplicationShutdown(signal?: string): Promise<void> {
    this.shuttingDown ??= this.shutdown(signal);
    return this.shuttingDown;
  }

  private async shutdown(signal?: string): Promise<void> {
    // The SDK's Runtime also reacts to SIGINT/SIGTERM; whoever comes first starts the drain.
    if (this.worker?.getState() === 'RUNNING') {
      this.logger.log(`Shutting down Temporal worker${signal ? ` (${signal})` : ''}`);
      this.worker.shutdown();
    }
    await this.running;
    await this.connection?.close();
    this.connection = undefined;
  }
}
