/**
 * Health that tells the truth. Liveness vs readiness against the real application; a data directory
 * on a small tmpfs filled up while the stack runs (writes answer 503 storage_full, readiness says why,
 * nothing is half-written, and everything recovers without a restart once space is freed); Temporal
 * unreachable (readiness 503 with that check down, liveness 200); the projector's lag reported.
 */
import 'reflect-metadata';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadConfig } from '@chunkwise/config';
import { type EventStore, SqliteEventStore, StorageFullError } from '@chunkwise/event-store';
import { startTemporalDevServer, type TemporalDevServer } from '@chunkwise/temporal';
import request from 'supertest';
import { createApp } from '../apps/api/src/app.factory';
import type { ApiProjector } from '../apps/api/src/infrastructure/api-projector';
import { EVENT_STORE, PROJECTOR } from '../apps/api/src/infrastructure/tokens';
import { withTemporalCli } from './support/temporal-cli';
import { makeTempDir } from './support/temp-dir';
import { type Tmpfs, withTmpfs } from './support/tmpfs';

jest.setTimeout(120_000);

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

const planDoc = (title: string) => ({
  title,
  repository: '/repos/x',
  tasks: [
    { id: 'T1', chunk: 'C01', title: 'first' },
    { id: 'T2', chunk: 'C01', title: 'second', dependsOn: ['T1'] },
  ],
});

async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('liveness and readiness with Temporal unreachable', () => {
  const dir = makeTempDir('cw-health-');
  let app: NestExpressApplication;
  let address: string;
  const api = () => request(app.getHttpServer());

  beforeAll(async () => {
    address = `127.0.0.1:${await closedPort()}`;
    app = await createApp(
      loadConfig({ CHUNKWISE_DATA_DIR: dir.path, TEMPORAL_ADDRESS: address, CHUNKWISE_LOG_LEVEL: 'error' }),
      { logger: false, temporalConnectTimeoutMs: 1000, health: { temporalTimeoutMs: 1500 } },
    );
  });
  afterAll(async () => {
    await app?.close();
    dir.remove();
  });

  test('liveness 200, readiness 503 naming Temporal; the other checks up; the projector lag reported', async () => {
    await api().post('/api/plans').send(planDoc('Lag')).expect(201);

    const live = await api().get('/api/health/live').expect(200);
    expect(live.body).toEqual({ status: 'ok', uptimeSeconds: expect.any(Number) });

    const t0 = Date.now();
    const ready = await api().get('/api/health/ready');
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(ready.status).toBe(503);
    expect(ready.body.status).toBe('not_ready');
    const { checks } = ready.body;
    expect(checks.temporal).toMatchObject({ state: 'down', address });
    expect(checks.temporal.message).toContain(`Temporal is not reachable at ${address}`);
    expect(checks.eventStore).toMatchObject({ state: 'up', kind: 'sqlite', probe: 'write' });
    expect(checks.disk.state).toBe('up');
    expect(checks.disk.directories[0]).toMatchObject({ path: dir.path, freeBytes: expect.any(Number) });
    expect(checks.projector).toMatchObject({
      state: 'up',
      mode: 'active',
      head: 1,
      checkpoint: 1,
      lag: 0,
      maxLag: 10_000,
    });

    // Liveness stays 200 while readiness is down; the legacy summary ignores Temporal (plan routes work).
    await api().get('/api/health/live').expect(200);
    const health = await api().get('/api/health').expect(200);
    expect(health.body).toMatchObject({ status: 'ok', readModels: { lag: 0, projector: 'active' } });
    expect(health.body.checks.temporal).toBeUndefined();
    expect(health.body.checks.eventStore.state).toBe('up');
  });

  test('the projector lag: events appended while the projector is stopped show up as lag', async () => {
    const store = app.get<EventStore>(EVENT_STORE);
    const projector = app.get<ApiProjector>(PROJECTOR);
    await projector.stop();
    try {
      await store.append('lag-probe', [{ id: crypto.randomUUID(), type: 'Probe', data: {} }], {
        expectedRevision: 'any',
      });
      const ready = await request(app.getHttpServer()).get('/api/health/ready');
      expect(ready.body.checks.projector).toMatchObject({ state: 'up', lag: 1 });
      expect(ready.body.checks.projector.message).toMatch(/1 event\(s\) behind/);
      const tight = (await request(app.getHttpServer()).get('/api/health').expect(200)).body;
      expect(tight.readModels.lag).toBe(1);
    } finally {
      await projector.start();
    }
    const caughtUp = await eventually(
      async () => (await request(app.getHttpServer()).get('/api/health/ready')).body.checks.projector.lag,
      (lag) => lag === 0,
    );
    expect(caughtUp).toBe(0);
  });
});

withTmpfs('test/health.e2e.ts (full disk)', '4m', (mount) => {
  describe('the SQLite event store on a full disk', () => {
    let fs: Tmpfs;
    beforeAll(() => {
      fs = mount();
    });
    afterAll(() => fs?.remove());

    test('a batch that does not fit is rolled back as a whole; the write probe fails; both recover', async () => {
      const store = new SqliteEventStore(join(fs.path, 'events.db'));
      try {
        const event = (i: number) => ({
          id: crypto.randomUUID(),
          type: 'E',
          data: { i, pad: 'x'.repeat(3000) },
        });
        await store.append('s', [0, 1, 2].map(event), { expectedRevision: 'no_stream' });
        await store.probeWrite();
        fs.fill();
        const batch = Array.from({ length: 40 }, (_, i) => event(3 + i));
        const err = await store.append('s', batch, { expectedRevision: 2 }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(StorageFullError);
        expect(err).toMatchObject({ reason: 'full', storageCode: 'SQLITE_FULL' });
        expect((err as Error).message).toMatch(/no space left.*nothing was written/);
        await expect(store.probeWrite()).rejects.toBeInstanceOf(StorageFullError);
        // Nothing half-written: the stream reads back whole, the head did not move.
        expect((await store.readStream('s')).map((e) => e.revision)).toEqual([0, 1, 2]);
        expect(await store.headPosition()).toBe(3);

        fs.free();
        await store.probeWrite();
        const result = await store.append('s', batch, { expectedRevision: 2 });
        expect(result.nextExpectedRevision).toBe(42);
        expect((await store.readStream('s')).length).toBe(43);
      } finally {
        await store.close();
      }
    });
  });

  withTemporalCli('test/health.e2e.ts (full disk, API)', ({ path: binary }) => {
    describe('the API with its data directory on a full disk', () => {
      const tmp = makeTempDir('cw-health-temporal-');
      let server: TemporalDevServer;
      let fs: Tmpfs;
      let app: NestExpressApplication;
      const api = () => request(app.getHttpServer());

      beforeAll(async () => {
        server = await startTemporalDevServer({
          dataDir: join(tmp.path, 'temporal'),
          binary,
          headless: true,
        });
        fs = mount();
        app = await createApp(
          loadConfig({
            CHUNKWISE_DATA_DIR: fs.path,
            TEMPORAL_ADDRESS: server.address,
            CHUNKWISE_LOG_LEVEL: 'error',
          }),
          { logger: false, health: { minFreeDiskBytes: 128 * 1024 } },
        );
      });
      afterAll(async () => {
        await app?.close();
        fs?.remove();
        await server?.stop();
        tmp.remove();
      });

      test('writes answer 503 with a clear message, readiness says why, nothing half-written; freeing space recovers without a restart', async () => {
        const created = await api().post('/api/plans').send(planDoc('Before the disk filled')).expect(201);
        const id = created.body.id as string;
        const ready = await api().get('/api/health/ready');
        expect(ready.body.checks).toMatchObject({
          eventStore: { state: 'up' },
          disk: { state: 'up' },
          temporal: { state: 'up' },
          projector: { state: 'up' },
        });
        expect(ready.status).toBe(200);
        expect(ready.body.status).toBe('ready');
        const store = app.get<EventStore>(EVENT_STORE);
        const before = await store.readStream(`plan-${id}`);
        const headBefore = await store.headPosition();

        fs.fill();

        const post = await api().post('/api/plans').send(planDoc('While the disk is full'));
        expect(post.status).toBe(503);
        expect(post.body).toMatchObject({ statusCode: 503, code: 'storage_full' });
        expect(post.body.message).toMatch(/no disk space left for this write; nothing was written/);
        const patch = await api().patch(`/api/plans/${id}`).set('If-Match', '"1"').send({ title: 'Renamed' });
        expect(patch.status).toBe(503);
        expect(patch.body.code).toBe('storage_full');

        const notReady = await api().get('/api/health/ready');
        expect(notReady.status).toBe(503);
        expect(notReady.body.status).toBe('not_ready');
        expect(notReady.body.checks.eventStore).toMatchObject({ state: 'down', code: 'SQLITE_FULL' });
        expect(notReady.body.checks.eventStore.message).toMatch(/no space left/);
        expect(notReady.body.checks.disk.state).toBe('down');
        expect(notReady.body.checks.disk.message).toMatch(/bytes free in .*free disk space/);
        expect(notReady.body.checks.temporal.state).toBe('up');
        await api().get('/api/health/live').expect(200);
        const legacy = await api().get('/api/health');
        expect(legacy.status).toBe(503);
        expect(legacy.body.status).toBe('unavailable');
        expect(legacy.body.error).toMatch(/no space left/);

        // Nothing half-written: the plan's stream reads back whole and unchanged; reads still work.
        expect(await store.readStream(`plan-${id}`)).toEqual(before);
        expect(await store.headPosition()).toBe(headBefore);
        const detail = await api().get(`/api/plans/${id}`).expect(200);
        expect(detail.body).toMatchObject({ title: 'Before the disk filled', revision: 1 });

        fs.free();

        const after = await api().post('/api/plans').send(planDoc('After space was freed')).expect(201);
        await api().patch(`/api/plans/${id}`).set('If-Match', '"1"').send({ title: 'Renamed' }).expect(200);
        expect((await api().get(`/api/plans/${id}`).expect(200)).body).toMatchObject({
          title: 'Renamed',
          revision: 2,
        });
        expect((await api().get(`/api/plans/${after.body.id}`).expect(200)).body.title).toBe(
          'After space was freed',
        );
        const back = await eventually(
          () => api().get('/api/health/ready'),
          (r) => r.status === 200,
        );
        expect(back.body.status).toBe('ready');
        expect(back.status).toBe(200);
        await api().get('/api/health').expect(200);
      });
    });
  });
});
