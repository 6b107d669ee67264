import { type DynamicModule, Module } from '@nestjs/common';
import { loadConfig } from '@chunkwise/config';
import { configurePrices } from '@chunkwise/llm';
import { TemporalWorkerService, WORKER_CONFIG, type WorkerConfig } from './temporal-worker.service';

/** The worker process: a Nest application context whose only job is to host the Temporal workers. */
@Module({})
export class WorkerModule {
  /** Configuration from the environment (validated by @chunkwise/config) unless given. */
  static forRoot(options?: WorkerConfig): DynamicModule {
    return {
      module: WorkerModule,
      providers: [
        {
          provide: WORKER_CONFIG,
          useFactory: (): WorkerConfig => {
            const worker = options ?? { config: loadConfig() };
            // Agent turns are priced in this process (anthropic runner, command agents' reports).
            configurePrices(worker.config.prices ?? {});
            return worker;
          },
        },
        TemporalWorkerService,
      ],
      exports: [TemporalWorkerService],
    };
  }
}
