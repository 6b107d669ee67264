import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ReadModelStore } from '@chunkwise/read-models';
import type { ApiProjector } from './api-projector';
import { PROJECTION_TIMEOUT_MS, PROJECTOR, READ_MODEL_STORE } from './tokens';

/**
 * Read-your-writes: after a write, wait until the read models have projected the appended
 * position, so the caller's next GET (on this or any instance sharing the read-model store) sees
 * it. The write itself is durable either way; a timeout only means the read models lag.
 */
@Injectable()
export class ProjectionSync {
  private readonly logger = new Logger(ProjectionSync.name);

  constructor(
    @Inject(PROJECTOR) private readonly projector: ApiProjector | null,
    @Inject(READ_MODEL_STORE) private readonly readModels: ReadModelStore,
    @Inject(PROJECTION_TIMEOUT_MS) private readonly timeoutMs: number,
  ) {}

  /** Resolves true when the read models reached `position`, false on timeout. */
  async waitFor(position: number): Promise<boolean> {
    if (position <= 0) return true;
    const reached = this.projector
      ? await this.projector.waitForPosition(position, this.timeoutMs)
      : await pollCheckpoint(() => this.readModels.getCheckpoint(), position, this.timeoutMs);
    if (!reached)
      this.logger.warn(
        `read models have not reached position ${position} after ${this.timeoutMs} ms; reads may lag`,
      );
    return reached;
  }
}

async function pollCheckpoint(
  get: () => Promise<number>,
  position: number,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    if ((await get()) >= position) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, Math.min(delay, Math.max(0, deadline - Date.now()))));
  }
}
