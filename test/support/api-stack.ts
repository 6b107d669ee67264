/**
 * The API with this host's session workers in-process, on the real Temporal dev server: createApp
 * on SQLite in `root/data` (listening on a free port), and the workers polling the same task
 * queue with the API's event store. For the e2e suites that drive execution over HTTP.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { loadConfig } from '@chunkwise/config';
import type { EventStore } from '@chunkwise/event-store';
import { createNativeConnection, startTemporalDevServer, type TemporalDevServer } from '@chunkwise/temporal';
import { createApp } from '../../apps/api/src/app.factory';
import { EVENT_STORE } from '../../apps/api/src/infrastructure/tokens';
import { createSessionWorkers } from '../../apps/worker/src/session-workers';

export interface ApiStack {
  server: TemporalDevServer;
  app: NestExpressApplication;
  baseUrl: string;
  /** Stops the workers, the API and the dev server (the caller removes `root`). */
  close(): Promise<void>;
}

export async function startApiStack(options: {
  /** The Temporal CLI. */
  binary: string;
  /** A temp directory: Temporal's and the API's data go below it. */
  root: string;
  hostId: string;
  /** More configuration (environment variables). */
  env?: Record<string, string>;
}): Promise<ApiStack> {
  const taskQueue = `chunkwise-${options.hostId}-${Math.random().toString(36).slice(2, 8)}`;
  const server = await startTemporalDevServer({
    dataDir: join(options.root, 'temporal'),
    binary: options.binary,
    headless: true,
  });
  let app: NestExpressApplication | undefined;
  let connection: NativeConnection | undefined;
  let workers: Worker[] = [];
  let running: Array<Promise<void>> = [];
  const close = async () => {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    await Promise.allSettled(running);
    await connection?.close();
    await app?.close();
    await server.stop();
  };
  try {
    const config = loadConfig({
      CHUNKWISE_DATA_DIR: join(options.root, 'data'),
      TEMPORAL_ADDRESS: server.address,
      CHUNKWISE_TASK_QUEUE: taskQueue,
      CHUNKWISE_LOG_LEVEL: 'error',
      ...options.env,
    });
    mkdirSync(config.dataDir, { recursive: true });
    // The API connects to Temporal lazily from its configuration, like in production.
    app = await createApp(config, { logger: false, sessionTiming: { heartbeatTimeoutSec: 10 } });
    await app.listen(0, '127.0.0.1');
    const baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    connection = await createNativeConnection({ address: server.address });
    ({ workers } = await createSessionWorkers({
      connection,
      namespace: 'default',
      taskQueue,
      eventStore: app.get<EventStore>(EVENT_STORE),
      dataDir: config.dataDir, // turn output is kept where the API reads it
      hostId: options.hostId,
      heartbeatMs: 500,
    }));
    running = workers.map((w) => w.run());
    return { server, app, baseUrl, close };
  } catch (e) {
    await close().catch(() => undefined);
    throw e;
  }
}
