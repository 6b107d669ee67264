import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { API_RUNTIME } from '../tokens';
import type { ApiRuntime } from './api-runtime';

/** Starts the projector with the application and stops it, then closes the stores, on `app.close()`. */
@Injectable()
export class RuntimeLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Projector');

  constructor(@Inject(API_RUNTIME) private readonly runtime: ApiRuntime) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.runtime.projector) {
      this.logger.log(
        'projector disabled in this process (CHUNKWISE_PROJECTOR=false); reads follow another projector',
      );
      return;
    }
    await this.runtime.projector.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runtime.close();
  }
}
