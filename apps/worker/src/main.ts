import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { exitWithParent } from '@chunkwise/temporal';
import { TemporalWorkerService } from './temporal-worker.service';
import { WorkerModule } from './worker.module';

/**
 * Worker process: connects to TEMPORAL_ADDRESS (default 127.0.0.1:7233), namespace
 * CHUNKWISE_TEMPORAL_NAMESPACE (default `default`), polls task queue `chunkwise`, and drains and
 * stops gracefully on SIGINT/SIGTERM.
 */
async function main(): Promise<void> {
  const logger = new Logger('worker');
  // Started by `chunkwise up`: stop when it is gone, even if it was killed without stopping us (a
  // turn cut short here is retried by Temporal on the next worker).
  const running: { stop?: () => Promise<void> } = {};
  exitWithParent((why) => {
    logger.warn(`${why}: stopping`);
    return running.stop?.();
  });
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot());
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= app.close());
  running.stop = close;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      logger.log(`${signal} received, stopping`);
      void close();
    });
  }
  try {
    // Runs until a signal shuts the worker down (or it fails).
    await app.get(TemporalWorkerService).whenStopped();
  } finally {
    await close();
    // Nothing should keep the process alive now; do not hang a container if something does.
    setTimeout(() => process.exit(process.exitCode ?? 0), 5_000).unref();
  }
}

main().catch((err: unknown) => {
  new Logger('worker').error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exitCode = 1;
});
