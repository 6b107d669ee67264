/**
 * End to end against the REAL Temporal dev server (the CLI provisioned by `npm run setup`):
 * a real worker runs `pingWorkflow`, its history is visible, and it survives a server restart on
 * the same database file.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@chunkwise/config';
import type { Client } from '@temporalio/client';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { CHUNKWISE_TASK_QUEUE, ChunkwisePlanId } from '@chunkwise/contracts';
import {
  createChunkwiseWorker,
  createNativeConnection,
  createTemporalClient,
  resolveTemporalBinary,
  startTemporalDevServer,
  type TemporalBinary,
  type TemporalDevServer,
} from '@chunkwise/temporal';
import { ping } from '../activities';
import { pingWorkflow } from '../workflows';
import { TemporalWorkerService } from '../apps/worker/src/temporal-worker.service';
import { WorkerModule } from '../apps/worker/src/worker.module';

// Only the connectivity activity: the session activities need an event store and a data dir.
const activities = { ping };

jest.setTimeout(180_000);

// The SDK logs every worker state change at INFO; keep test output readable.
Runtime.install({ logger: new DefaultLogger('WARN') });

const inCi = ['true', '1'].includes((process.env.CI ?? '').toLowerCase());

let binary: TemporalBinary | undefined;
let unavailable = '';
try {
  binary = resolveTemporalBinary();
} catch (err) {
  unavailable = err instanceof Error ? err.message : String(err);
}

if (!binary) {
  if (inCi) {
    test('the Temporal CLI is provisioned', () => {
      throw new Error(`CI=true and no Temporal CLI can be resolved: ${unavailable}`);
    });
  } else {
    console.warn(`SKIPPING test/temporal.e2e.ts: ${unavailable}`);
    test.skip('Temporal dev server e2e (no Temporal CLI; run `npm run setup`)', () => undefined);
  }
} else {
  const temporalBin = binary.path;

  describe(`Temporal dev server (${temporalBin})`, () => {
    let dataDir: string;
    let server: TemporalDevServer | undefined;
    let client: Client | undefined;
    const workflowId = `e2e-ping-${randomUUID()}`;
    const planId = `plan-${randomUUID()}`;

    const connect = async () => {
      await client?.connection.close();
      client = await createTemporalClient({ address: server!.address, namespace: 'default' });
      return client;
    };

    beforeAll(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'chunkwise-temporal-e2e-'));
      server = await startTemporalDevServer({ dataDir, binary: temporalBin });
      await connect();
    });

    afterAll(async () => {
      await client?.connection.close();
      await server?.stop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    test('the server answers on a free port, with the Web UI on another', () => {
      expect(server!.address).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(server!.uiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(server!.dbFile).toBe(join(dataDir, 'temporal.db'));
    });

    test('pingWorkflow runs through a real in-process worker and is in history', async () => {
      const connection = await createNativeConnection({ address: server!.address });
      try {
        const worker = await createChunkwiseWorker({
          connection,
          namespace: 'default',
          taskQueue: CHUNKWISE_TASK_QUEUE,
          activities,
        });
        const result = await worker.runUntil(
          client!.workflow.execute(pingWorkflow, {
            args: ['e2e'],
            taskQueue: CHUNKWISE_TASK_QUEUE,
            workflowId,
            typedSearchAttributes: [{ key: ChunkwisePlanId, value: planId }],
          }),
        );
        expect(result.message).toBe('pong: e2e');
        expect(result.answeredBy).toContain(`:${process.pid}`);
      } finally {
        await connection.close();
      }

      const handle = client!.workflow.getHandle(workflowId);
      const description = await handle.describe();
      expect(description.type).toBe('pingWorkflow');
      expect(description.status.name).toBe('COMPLETED');
      expect(description.taskQueue).toBe(CHUNKWISE_TASK_QUEUE);
      expect(description.typedSearchAttributes.get(ChunkwisePlanId)).toBe(planId);
      const history = await handle.fetchHistory();
      const types = (history.events ?? []).map((e) => e.activityTaskCompletedEventAttributes);
      expect(types.filter(Boolean)).toHaveLength(1);
    });

    test('the registered search attributes answer visibility queries', async () => {
      const ids: string[] = [];
      for await (const wf of client!.workflow.list({ query: `ChunkwisePlanId = '${planId}'` })) {
        ids.push(wf.workflowId);
      }
      expect(ids).toEqual([workflowId]);
    });

    test('the NestJS worker application context hosts a worker that runs workflows', async () => {
      const app = await NestFactory.createApplicationContext(
        WorkerModule.forRoot({
          config: loadConfig({
            TEMPORAL_ADDRESS: server!.address,
            CHUNKWISE_TASK_QUEUE: CHUNKWISE_TASK_QUEUE,
            CHUNKWISE_DATA_DIR: mkdtempSync(join(tmpdir(), 'cw-nest-worker-')),
          }),
        }),
        { logger: false },
      );
      const service = app.get(TemporalWorkerService);
      try {
        expect(service.state).toBe('RUNNING');
        const result = await client!.workflow.execute(pingWorkflow, {
          args: ['nest'],
          taskQueue: CHUNKWISE_TASK_QUEUE,
          workflowId: `e2e-nest-${randomUUID()}`,
        });
        expect(result.message).toBe('pong: nest');
      } finally {
        await app.close();
      }
      expect(service.state).toBe('STOPPED');
      await expect(service.whenStopped()).resolves.toBeUndefined();
    });

    test('a completed workflow survives a restart of the server on the same database file', async () => {
      const before = await client!.workflow.getHandle(workflowId).fetchHistory();
      await client!.connection.close();
      client = undefined;
      await server!.stop();
      expect((await server!.exited).code).not.toBeNull();

      server = await startTemporalDevServer({ dataDir, binary: temporalBin, headless: true });
      await connect();
      const handle = client!.workflow.getHandle(workflowId);
      const description = await handle.describe();
      expect(description.status.name).toBe('COMPLETED');
      expect(await handle.result()).toEqual(expect.objectContaining({ message: 'pong: e2e' }));
      const after = await handle.fetchHistory();
      expect(after.events?.length).toBe(before.events?.length);

      // And a worker can still use the restarted server.
      const connection = await createNativeConnection({ address: server!.address });
      try {
        const worker = await createChunkwiseWorker({
          connection,
          namespace: 'default',
          taskQueue: CHUNKWISE_TASK_QUEUE,
          activities,
        });
        expect(worker).toBeInstanceOf(Worker);
        const again = await worker.runUntil(
          client!.workflow.execute(pingWorkflow, {
            args: ['after restart'],
            taskQueue: CHUNKWISE_TASK_QUEUE,
            workflowId: `e2e-restart-${randomUUID()}`,
          }),
        );
        expect(again.message).toBe('pong: after restart');
      } finally {
        await connection.close();
      }
    });
  });
}
