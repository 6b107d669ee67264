import { Logger } from '@nestjs/common';
import { AsyncCompletionClient, type ConnectionLike } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { takeOrphanedTurns } from '@chunkwise/agents';

/**
 * At the start of a worker: turns left running by a dead worker process of this host (kill -9, a
 * crash) are failed at once, so Temporal retries them now instead of at their heartbeat timeout.
 * The retry stops the orphaned agent before it runs the turn again. A turn already timed out or
 * retried elsewhere is not found: that is fine. Never throws.
 */
export async function failOrphanedTurns(o: {
  connection: ConnectionLike;
  namespace: string;
  dataDir: string;
  logger?: Pick<Logger, 'log' | 'warn'>;
}): Promise<number> {
  const logger = o.logger ?? new Logger('OrphanedTurns');
  let failed = 0;
  try {
    const orphans = await takeOrphanedTurns(o.dataDir);
    if (orphans.length === 0) return 0;
    const client = new AsyncCompletionClient({ connection: o.connection, namespace: o.namespace });
    for (const t of orphans) {
      try {
        await client.fail(
          new Uint8Array(Buffer.from(t.taskToken, 'base64')),
          ApplicationFailure.retryable(
            `the worker process ${t.pid} running turn ${t.turnId} (attempt ${t.attempt}) died`,
            'WorkerDied',
          ),
        );
        failed++;
      } catch (err) {
        // Already timed out, completed or retried: nothing to do.
        logger.warn(`orphaned turn ${t.turnId} (attempt ${t.attempt}) is no longer running: ${String(err)}`);
      }
    }
    if (failed > 0) logger.warn(`failed ${failed} turn(s) orphaned by a dead worker of this host`);
  } catch (err) {
    logger.warn(`could not look for orphaned turns: ${String(err)}`);
  }
  return failed;
}
