/**
 * The dashboard is served by the API on the same origin: pages and assets at /, deep links answered
 * with the app, hashed assets cached for good and index.html never, the API untouched under /api —
 * and with a token configured, the pages open but every /api route closed, the event stream
 * reachable by `?access_token=` (what a browser's EventSource can send) and nothing else.
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadConfig } from '@chunkwise/config';
import request from 'supertest';
import { createApp } from '../apps/api/src/app.factory';
import { makeTempDir } from './support/temp-dir';

jest.setTimeout(60_000);

const INDEX =
  '<!doctype html><html><body><div id="root"></div><script src="/assets/app-1a2b.js"></script></body></html>';
const TOKEN = 'dashboard-secret-token';

describe('the dashboard served by the API', () => {
  const dir = makeTempDir('cw-dashboard-');
  const web = join(dir.path, 'web');
  let open: NestExpressApplication;
  let closed: NestExpressApplication;
  let missing: NestExpressApplication;

  beforeAll(async () => {
    mkdirSync(join(web, 'assets'), { recursive: true });
    writeFileSync(join(web, 'index.html'), INDEX);
    writeFileSync(join(web, 'assets', 'app-1a2b.js'), 'console.log("app")');
    writeFileSync(join(web, 'robots.txt'), 'User-agent: *\nDisallow: /\n');
    const config = (name: string, extra: Record<string, string> = {}) =>
      loadConfig({ CHUNKWISE_DATA_DIR: join(dir.path, name), CHUNKWISE_LOG_LEVEL: 'error', ...extra });
    open = await createApp(config('open', { CHUNKWISE_TEMPORAL_UI_URL: 'http://127.0.0.1:8233/' }), {
      logger: false,
      dashboardDir: web,
    });
    closed = await createApp(config('closed', { CHUNKWISE_API_TOKEN: TOKEN }), {
      logger: false,
      dashboardDir: web,
    });
    missing = await createApp(config('missing'), { logger: false, dashboardDir: join(dir.path, 'nothing') });
  });
  afterAll(async () => {
    await Promise.all([open, closed, missing].map((a) => a?.close()));
    dir.remove();
  });

  test('/ and every deep link answer the app; index.html is never cached', async () => {
    for (const path of ['/', '/plans/new', '/plans/p-123/run', '/plans/p-123/history?x=1']) {
      const res = await request(open.getHttpServer()).get(path).expect(200);
      expect([path, res.headers['content-type'], res.headers['cache-control']]).toEqual([
        path,
        'text/html; charset=utf-8',
        'no-cache',
      ]);
      expect(res.text).toBe(INDEX);
    }
  });

  test('hashed assets are cached for a year; a missing asset is a plain 404 without file-system detail', async () => {
    const asset = await request(open.getHttpServer()).get('/assets/app-1a2b.js').expect(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const gone = await request(open.getHttpServer()).get('/assets/app-0000.js').expect(404);
    expect(gone.text).toBe('asset not found');
    expect(gone.text).not.toContain(web);
    const file = await request(open.getHttpServer()).get('/robots.txt').expect(200);
    expect(file.text).toContain('Disallow');
  });

  test('the API keeps its own answers under /api (JSON 404, not the app)', async () => {
    const res = await request(open.getHttpServer()).get('/api/no-such-route').expect(404);
    expect(res.body).toMatchObject({ statusCode: 404 });
    await request(open.getHttpServer()).get('/api/plans').expect(200);
  });

  test('the settings the dashboard shows: the Temporal UI (when known) and the namespace', async () => {
    const withUi = await request(open.getHttpServer()).get('/api/dashboard/settings').expect(200);
    expect(withUi.body).toEqual({ temporalUiUrl: 'http://127.0.0.1:8233', temporalNamespace: 'default' });
    const without = await request(missing.getHttpServer()).get('/api/dashboard/settings').expect(200);
    expect(without.body.temporalUiUrl).toBeNull();
    await request(closed.getHttpServer()).get('/api/dashboard/settings').expect(401);
  });

  test('without a build, / says how to build it (503) and the API still works', async () => {
    const res = await request(missing.getHttpServer()).get('/plans/x').expect(503);
    expect(res.text).toContain('npm run setup');
    await request(missing.getHttpServer()).get('/api/plans').expect(200);
  });

  test('with a token: pages open, /api closed, the stream open to ?access_token= only', async () => {
    const server = () => request(closed.getHttpServer());
    await server().get('/').expect(200);
    await server().get('/assets/app-1a2b.js').expect(200);
    await server().get('/api/plans').expect(401);
    await server().get(`/api/plans?access_token=${TOKEN}`).expect(401);
    const created = await server()
      .post('/api/plans')
      .set('Authorization', `Bearer ${TOKEN}`)
      .send({ title: 'Streamed', tasks: [{ id: 'T1', chunk: 'C01', title: 'one' }] })
      .expect(201);
    const id = created.body.id as string;
    await server().get(`/api/plans/${id}/stream`).expect(401);
    await server().get(`/api/plans/${id}/stream?access_token=wrong-token-123`).expect(401);

    // The right token opens the stream: read its first frame and hang up.
    const { port } = await new Promise<AddressInfo>((resolve) => {
      const listening = closed
        .getHttpServer()
        .listen(0, '127.0.0.1', () => resolve(listening.address() as AddressInfo));
    });
    const controller = new AbortController();
    const res = await fetch(`http://127.0.0.1:${port}/api/plans/${id}/stream?access_token=${TOKEN}&after=0`, {
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('event: PlanCreated')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString('utf8');
    }
    controller.abort();
    expect(text).toContain('event: PlanCreated');
  });
});
