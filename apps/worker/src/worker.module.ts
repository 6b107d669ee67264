import { type DynamicModule, Module } from '@nestjs/common';
import { loadConfig } from '@chunkwise/config';
import * as activities from '../../../activities';
import {
  TEMPORAL_ACTIVITIES,
  TEMPORAL_WORKER_CONFIG,
  TemporalWorkerService,
  type TemporalWorkerConfig,
} from './temporal-worker.service';

/** The worker process: a Nest application context whose only job is to host the Temporal worker. */
@Module({})
export class WorkerModule {
  /**
   * Configuration from the environment (TEMPORAL_ADDRESS, CHUNKWISE_TEMPORAL_NAMESPACE,
   * CHUNKWISE_TASK_QUEUE, validated by @chunkwise/config) unless given in full.
   */
  static forRoot(config?: TemporalWorkerConfig): DynamicModule {
    return {
      module: WorkerModule,
      providers: [
        {
          provide: TEMPORAL_WORKER_CONFIG,
          useFactory: (): TemporalWorkerConfig => config ?? loadConfig().temporal,
        },
        { provide: TEMPORAL_ACTIVITIES, useValue: activities },
        TemporalWorkerService,
      ],
      exports: [TemporalWorkerService],
    };
  }
}
