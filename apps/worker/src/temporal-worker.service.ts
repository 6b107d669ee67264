import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { createEventStore, type ChunkwiseConfig } from '@chunkwise/config';
import type { EventStore } from '@chunkwise/event-store';
import { createNativeConnection, resolveWorkflowSource, type WorkflowSource } from '@chunkwise/temporal';
import { createSessionWorkers } from './session-workers';

export const WORKER_CONFIG = Symbol('WORKER_CONFIG');

export interface WorkerConfig {
  config: ChunkwiseConfig;
  /** Where workflow code comes from; the prebuilt bundle or workflowsPath by default. */
  workflowSource?: WorkflowSource;
  hostId?: string;
}

/**
 * Hosts this process's Temporal workers for the lifetime of the Nest application context: connects
 * and starts polling on module init, drains and stops on application shutdown (SIGINT/SIGTERM).
 */
@Injectable()
export class TemporalWorkerService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(TemporalWorkerService.name);
  private connection?: NativeConnection;
  private eventStore?: EventStore;
  private workers: Worker[] = [];
  /** Settles (never rejects) when every worker has stopped; `failure` holds why if one failed. */
  private running?: Promise<void>;
  private failure?: unknown;
  private shuttingDown?: Promise<void>;

  constructor(@Inject(WORKER_CONFIG) private readonly options: WorkerConfig) {}

  async onModuleInit(): Promise<void> {
    const { config } = this.options;
    const { address, namespace, taskQueue } = config.temporal;
    const workflowSource = this.options.workflowSource ?? resolveWorkflowSource();
    this.logger.log(
      workflowSource.kind === 'bundle'
        ? `Workflows from the prebuilt bundle ${workflowSource.codePath}`
        : `Workflows bundled at start from ${workflowSource.workflowsPath}`,
    );
    this.eventStore = await createEventStore(config);
    this.connection = await createNativeConnection({ address });
    const { workers, hostTaskQueue } = await createSessionWorkers({
      connection: this.connection,
      namespace,
      taskQueue,
      eventStore: this.eventStore,
      dataDir: config.dataDir,
      hostId: this.options.hostId ?? config.hostId ?? undefined,
      workflowSource,
      budgets: config.budgets,
    });
    this.workers = workers;
    this.running = Promise.all(
      workers.map((w) =>
        w.run().catch((err: unknown) => {
          this.failure ??= err;
          this.logger.error(`Temporal worker failed: ${err instanceof Error ? err.stack : String(err)}`);
          // One worker failing takes the other down: a host without its own queue cannot run sessions.
          for (const other of this.workers) if (other.getState() === 'RUNNING') other.shutdown();
        }),
      ),
    ).then(() => undefined);
    this.logger.log(
      `Temporal workers polling "${taskQueue}" and "${hostTaskQueue}" on ${address} (namespace ${namespace})`,
    );
  }

  /** Resolves when the workers stop; rejects if one failed. */
  async whenStopped(): Promise<void> {
    await this.running;
    if (this.failure) throw this.failure;
  }

  get state(): string {
    return this.workers[0]?.getState() ?? 'UNINITIALIZED';
  }

  onApplicationShutdown(signal?: string): Promise<void> {
    this.shuttingDown ??= this.shutdown(signal);
    return this.shuttingDown;
  }

  private async shutdown(signal?: string): Promise<void> {
    // The SDK's Runtime also reacts to SIGINT/SIGTERM; whoever comes first starts the drain.
    for (const w of this.workers) {
      if (w.getState() === 'RUNNING') {
        this.logger.log(`Shutting down Temporal worker${signal ? ` (${signal})` : ''}`);
        w.shutdown();
      }
    }
    await this.running;
    await this.connection?.close();
    this.connection = undefined;
    await this.eventStore?.close();
  }
}
