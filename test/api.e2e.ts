/**
 * End to end over HTTP against the real application from createApp, on two real backends:
 * SQLite files (temp dir) and PostgreSQL (event store + read models, a fresh schema per run on
 * CHUNKWISE_TEST_PG_URL). Every route, every error status, read-your-writes, time travel,
 * optimistic concurrency, auth, and OpenAPI generated from the zod schemas.
 */
import 'reflect-metadata';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { type ChunkwiseConfig, loadConfig } from '@chunkwise/config';
import { planDocumentSchema } from '@chunkwise/domain';
import type { PlanDetail, ReadModelStore } from '@chunkwise/read-models';
import request from 'supertest';
import { z } from 'zod';
import { createApp } from '../apps/api/src/app.factory';
import { EVENT_STORE, READ_MODEL_STORE } from '../apps/api/src/infrastructure/tokens';
import type { EventStore } from '@chunkwise/event-store';
import { inCi } from './support/ci';
import { dropSchemas, probePostgresSync, redactUrl, TEST_PG_URL, uniqueSchemaName } from './support/postgres';
import { makeTempDir } from './support/temp-dir';

jest.setTimeout(60_000);

const BODY_LIMIT = 256 * 1024;
const TOKEN = 'e2e-secret-token-0123456789';

interface Backend {
  name: string;
  env(): Promise<Record<string, string>>;
  cleanup(): Promise<void>;
}

const sqlite = (): Backend => {
  let dir: ReturnType<typeof makeTempDir> | undefined;
  return {
    name: 'SQLite',
    env: async () => {
      dir = makeTempDir('chunkwise-api-e2e-');
      return { CHUNKWISE_DATA_DIR: dir.path };
    },
    cleanup: async () => dir?.remove(),
  };
};

const postgres = (): Backend => {
  const schema = uniqueSchemaName('cw_api_e2e');
  return {
    name: 'PostgreSQL',
    env: async () => ({
      CHUNKWISE_EVENT_STORE: 'postgres',
      CHUNKWISE_EVENT_STORE_URL: TEST_PG_URL,
      CHUNKWISE_READ_MODEL: 'postgres',
      CHUNKWISE_READ_MODEL_URL: TEST_PG_URL,
      CHUNKWISE_PG_SCHEMA: schema,
    }),
    cleanup: () => dropSchemas([schema, `${schema}_read`]),
  };
};

const pgUnavailable = probePostgresSync();
const backends: Backend[] = [sqlite()];
if (pgUnavailable === null) {
  backends.push(postgres());
} else if (inCi) {
  test('PostgreSQL is reachable for the API e2e suite', () => {
    throw new Error(`CI=true and PostgreSQL at ${redactUrl(TEST_PG_URL)} is unreachable: ${pgUnavailable}`);
  });
} else {
  console.warn(
    `SKIPPING the PostgreSQL run of test/api.e2e.ts: no PostgreSQL at ${redactUrl(TEST_PG_URL)} (${pgUnavailable}). ` +
      'Set CHUNKWISE_TEST_PG_URL to a reachable server to run it; the SQLite run still runs.',
  );
  test.skip('API e2e on PostgreSQL (server unreachable)', () => undefined);
}

const sampleDocument = () => ({
  title: 'Add OAuth login',
  description: 'Let users sign in with GitHub',
  repository: '/repos/web',
  chunks: [
    { key: 'C01_foundation', title: 'Foundation' },
    { key: 'C02_feature', title: 'Feature', executionMode: 'parallel' },
  ],
  tasks: [
    { id: 'T1', chunk: 'C01_foundation', title: 'Add config', acceptance: ['config loads'] },
    { id: 'T2', chunk: 'C01_foundation', title: 'Add client', dependsOn: ['T1'] },
    { id: 'T3', chunk: 'C02_feature', title: 'Login route', dependsOn: ['T2'] },
  ],
});

describe.each(backends)('API on $name', (backend) => {
  let config: ChunkwiseConfig;
  let app: NestExpressApplication;
  let http: ReturnType<NestExpressApplication['getHttpServer']>;

  beforeAll(async () => {
    config = loadConfig({
      ...(await backend.env()),
      CHUNKWISE_BODY_LIMIT: String(BODY_LIMIT),
      CHUNKWISE_LOG_LEVEL: 'error',
    });
    app = await createApp(config, { logger: ['error'] });
    http = app.getHttpServer();
  });

  afterAll(async () => {
    await app?.close();
    await backend.cleanup();
  });

  const create = async (doc: unknown = sampleDocument()) => {
    const res = await request(http)
      .post('/api/plans')
      .send(doc as object)
      .expect(201);
    return res.body as { id: string; revision: number };
  };
  const detail = async (id: string) =>
    (await request(http).get(`/api/plans/${id}`).expect(200)).body as PlanDetail;

  describe('health and documentation', () => {
    it('GET /api/health reports the stores and the projection lag', async () => {
      const res = await request(http).get('/api/health').expect(200);
      expect(res.body).toMatchObject({
        status: 'ok',
        eventStore: config.eventStore.kind,
        readModels: { kind: config.readModels.kind, projector: 'active' },
      });
      expect(typeof res.body.readModels.checkpoint).toBe('number');
      expect(res.body.readModels.lag).toBeGreaterThanOrEqual(0);
    });

    it('serves Swagger UI and an OpenAPI document whose schemas come from the zod schemas', async () => {
      await request(http).get('/api/docs').expect(200).expect('Content-Type', /html/);
      const res = await request(http).get('/api/docs-json').expect(200);
      const doc = res.body;
      const expected = z.toJSONSchema(planDocumentSchema, { target: 'openapi-3.0', io: 'input' }) as {
        properties: object;
      };
      expect(doc.components.schemas.PlanDocument.properties).toMatchObject(expected.properties);
      expect(doc.components.schemas.PlanDocument.properties).toHaveProperty('expectedRevision');
      expect(doc.components.schemas.PlanDocument.required).toEqual(['title']);
      for (const name of [
        'PlanDetail',
        'PlanSummary',
        'WriteResult',
        'ValidationResult',
        'Error',
        'AddTask',
        'UpdatePlan',
        'Health',
        'Liveness',
        'Readiness',
      ]) {
        expect(doc.components.schemas).toHaveProperty(name);
      }
      expect(doc.paths['/api/plans'].post.requestBody.content['application/json'].schema).toEqual({
        $ref: '#/components/schemas/PlanDocument',
      });
      expect(doc.paths['/api/plans'].post.requestBody.content).toHaveProperty('application/yaml');
      expect(doc.paths['/api/plans/{id}'].get.responses['200'].content['application/json'].schema).toEqual({
        $ref: '#/components/schemas/PlanDetail',
      });
      const routes = Object.entries(doc.paths as Record<string, object>).flatMap(([p, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
      );
      expect(routes.sort()).toEqual(
        [
          'GET /api/health',
          'GET /api/health/live',
          'GET /api/health/ready',
          'GET /api/dashboard/settings',
          'POST /api/plans',
          'GET /api/plans',
          'POST /api/plans/validate',
          'GET /api/plans/{id}',
          'PATCH /api/plans/{id}',
          'DELETE /api/plans/{id}',
          'GET /api/plans/{id}/history',
          'POST /api/plans/{id}/validate',
          'POST /api/plans/{id}/finalize',
          'POST /api/plans/{id}/reopen',
          'POST /api/plans/{id}/feedback',
          'GET /api/plans/{id}/chunks',
          'POST /api/plans/{id}/chunks',
          'PUT /api/plans/{id}/chunks/order',
          'PATCH /api/plans/{id}/chunks/{key}',
          'DELETE /api/plans/{id}/chunks/{key}',
          'GET /api/plans/{id}/tasks',
          'GET /api/plans/{id}/tasks/{taskId}',
          'POST /api/plans/{id}/tasks',
          'PATCH /api/plans/{id}/tasks/{taskId}',
          'PUT /api/plans/{id}/tasks/{taskId}/dependencies',
          'POST /api/plans/{id}/tasks/{taskId}/move',
          'DELETE /api/plans/{id}/tasks/{taskId}',
          ...['execute', 'resume', 'pause', 'stop', 'cancel'].map((a) => `POST /api/plans/{id}/${a}`),
          ...['approve', 'retry', 'skip', 'complete', 'edit'].map(
            (a) => `POST /api/plans/{id}/tasks/{taskId}/${a}`,
          ),
          'GET /api/plans/{id}/progress',
          'GET /api/plans/{id}/stream',
          'GET /api/plans/{id}/chunks/{key}/diff',
          'GET /api/plans/{id}/turns/{turnId}/output/stream',
          'GET /api/plans/{id}/turns/{turnId}/output',
          'POST /api/repositories',
          'GET /api/repositories',
          'GET /api/repositories/{id}',
          // The chat that launches runs
          'POST /api/chat/sessions',
          'GET /api/chat/sessions',
          'GET /api/chat/sessions/{id}',
          'POST /api/chat/sessions/{id}/messages',
          'POST /api/chat/sessions/{id}/approvals/{callId}',
          'POST /api/chat/sessions/{id}/runs/{runId}/cancel',
          // Planning with Claude
          'POST /api/plans/generate',
          'POST /api/plans/{id}/review',
          'GET /api/plans/{id}/suggestions/{setId}',
          'POST /api/plans/{id}/suggestions/{setId}/apply',
          'POST /api/plans/{id}/refine',
          'GET /api/plans/{id}/diff',
          'GET /api/plans/{id}/usage',
          // Import and export
          'POST /api/plans/import',
          'GET /api/plans/{id}/export',
          // Cost: the ledger, budgets, stats and estimates
          'GET /api/usage',
          'GET /api/plans/{id}/budget',
          'PUT /api/plans/{id}/budget',
          'GET /api/stats',
          'GET /api/plans/{id}/estimate',
          // Schedules (Temporal Schedules)
          'POST /api/plans/{id}/schedules',
          'GET /api/plans/{id}/schedules',
          'GET /api/schedules',
          ...['pause', 'resume', 'trigger'].map((a) => `POST /api/plans/{id}/schedules/{sid}/${a}`),
          'DELETE /api/plans/{id}/schedules/{sid}',
          // Templates
          'GET /api/templates',
          'GET /api/templates/{name}',
          'GET /api/templates/{name}/versions',
          'POST /api/templates',
          'POST /api/templates/{name}/plans',
          'POST /api/plans/{id}/template',
          // Rollback
          'POST /api/plans/{id}/rollback',
        ].sort(),
      );
      // Every $ref resolves.
      const refs = JSON.stringify(doc).match(/#\/components\/schemas\/[A-Za-z]+/g) ?? [];
      for (const r of new Set(refs)) expect(doc.components.schemas).toHaveProperty(r.split('/').pop()!);
    });
  });

  describe('plans', () => {
    it('POST /plans creates a plan: 201, id, revision, Location, ETag; GET reads it back at once', async () => {
      const res = await request(http).post('/api/plans').send(sampleDocument()).expect(201);
      expect(res.body).toEqual({ id: expect.stringMatching(/^p_[a-z0-9]{12}$/), revision: 1 });
      expect(res.headers.location).toBe(`/api/plans/${res.body.id}`);
      expect(res.headers.etag).toBe('"1"');

      const got = await request(http).get(`/api/plans/${res.body.id}`).expect(200);
      expect(got.headers.etag).toBe('"1"');
      // The ETag is the write precondition, not a cache validator: execution changes the plan without
      // a new revision, so a matching If-None-Match still gets the whole, current answer.
      expect(got.headers['cache-control']).toBe('no-store');
      const again = await request(http)
        .get(`/api/plans/${res.body.id}`)
        .set('If-None-Match', '"1"')
        .expect(200);
      expect(again.body.id).toBe(res.body.id);
      const plan = got.body as PlanDetail;
      expect(plan).toMatchObject({
        id: res.body.id,
        title: 'Add OAuth login',
        description: 'Let users sign in with GitHub',
        repository: '/repos/web',
        status: 'draft',
        archived: false,
        revision: 1,
        finalizedRevision: null,
        chunkCount: 2,
        taskCount: 3,
        progress: 0,
      });
      expect(plan.chunks.map((c) => [c.key, c.executionMode, c.tasks.map((t) => t.id)])).toEqual([
        ['C01_foundation', 'sequential', ['T1', 'T2']],
        ['C02_feature', 'parallel', ['T3']],
      ]);
      expect(plan.chunks[0].tasks[0]).toMatchObject({
        id: 'T1',
        status: 'pending',
        acceptance: ['config loads'],
      });
      expect(Date.parse(plan.createdAt)).not.toBeNaN();
    });

    it('accepts a YAML plan document', async () => {
      const yaml = [
        'title: From YAML',
        'tasks:',
        '  - id: Y1',
        '    chunk: C01_setup',
        '    title: First',
        '  - id: Y2',
        '    chunk: C02_more',
        '    title: Second',
        '    depends_on: [Y1]',
      ].join('\n');
      const res = await request(http)
        .post('/api/plans')
        .set('Content-Type', 'application/yaml')
        .send(yaml)
        .expect(201);
      const plan = await detail(res.body.id);
      expect(plan.title).toBe('From YAML');
      expect(plan.chunks.map((c) => c.key)).toEqual(['C01_setup', 'C02_more']);
      expect(plan.chunks[1].tasks[0].dependsOn).toEqual(['Y1']);
      const history = (await request(http).get(`/api/plans/${res.body.id}/history`).expect(200)).body;
      expect(history.entries[0].data.source).toEqual({ kind: 'api', format: 'yaml' });

      await request(http)
        .post('/api/plans')
        .set('Content-Type', 'text/yaml')
        .send('title: Text YAML\n')
        .expect(201);
      const bad = await request(http)
        .post('/api/plans')
        .set('Content-Type', 'application/yaml')
        .send('title: [unclosed\n')
        .expect(400);
      expect(bad.body.message).toMatch(/^malformed YAML body: /);
    });

    it('refuses an invalid document with 400 listing EVERY problem, naming tasks', async () => {
      const res = await request(http)
        .post('/api/plans')
        .send({
          title: 'Broken',
          chunks: [{ key: 'A' }, { key: 'B' }],
          tasks: [
            { id: 'T1', chunk: 'A', title: 'one', dependsOn: ['T2'] },
            { id: 'T2', chunk: 'B', title: 'two', dependsOn: ['T1'] },
            { id: 'T1', chunk: 'A', title: 'dup' },
            { id: 'T4', chunk: 'Z', title: 'unknown chunk', dependsOn: ['NOPE'] },
            { id: 'T5', title: 'no chunk' },
          ],
        })
        .expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', code: 'validation_failed' });
      const codes = (res.body.issues as Array<{ code: string; taskId?: string }>).map(
        (i) => `${i.code}:${i.taskId ?? ''}`,
      );
      expect(codes).toEqual(
        expect.arrayContaining([
          'duplicate_task_id:T1',
          'unknown_chunk:T4',
          'unknown_dependency:T4',
          'task_without_chunk:T5',
          'dependency_on_later_chunk:T1',
          expect.stringMatching(/^dependency_cycle:T[12]$/),
        ]),
      );
      for (const issue of res.body.issues) expect(issue.message).toEqual(expect.any(String));

      const schema = await request(http).post('/api/plans').send({ title: '', tasks: 'no' }).expect(400);
      expect(schema.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['tasks', 'title']);
      const notObject = await request(http).post('/api/plans').send([1, 2]).expect(400);
      expect(notObject.body.code).toBe('validation_failed');
    });

    it('POST /plans/validate checks a document without storing it', async () => {
      const before = (await request(http).get('/api/plans?includeArchived=true&limit=1000').expect(200)).body
        .plans.length;
      const ok = await request(http).post('/api/plans/validate').send(sampleDocument()).expect(200);
      expect(ok.body).toEqual({ valid: true, issues: [] });
      const bad = await request(http)
        .post('/api/plans/validate')
        .send({
          title: 'x',
          tasks: [
            { id: 'A', chunk: 'C', title: 'a', dependsOn: ['A2'] },
            { id: 'A', chunk: 'C', title: 'b' },
          ],
        })
        .expect(200);
      expect(bad.body.valid).toBe(false);
      expect(bad.body.issues.map((i: { code: string }) => i.code).sort()).toEqual([
        'duplicate_task_id',
        'unknown_dependency',
      ]);
      const empty = await request(http).post('/api/plans/validate').send({ title: 'empty' }).expect(200);
      expect(empty.body).toEqual({ valid: false, issues: [expect.objectContaining({ code: 'empty_plan' })] });
      const yaml = await request(http)
        .post('/api/plans/validate')
        .set('Content-Type', 'application/yaml')
        .send('title: y\ntasks: []\n')
        .expect(200);
      expect(yaml.body.valid).toBe(false);
      const after = (await request(http).get('/api/plans?includeArchived=true&limit=1000').expect(200)).body
        .plans.length;
      expect(after).toBe(before);
    });

    it('GET /plans lists summaries with filters, and refuses bad filters with 400', async () => {
      const repo = `/repos/list-${Date.now()}`;
      const a = await create({ ...sampleDocument(), title: 'List A', repository: repo });
      const b = await create({ ...sampleDocument(), title: 'List B', repository: repo });
      await request(http).post(`/api/plans/${b.id}/finalize`).expect(200);

      const all = (await request(http).get('/api/plans').query({ repository: repo }).expect(200)).body;
      expect(all.plans.map((p: { id: string }) => p.id).sort()).toEqual([a.id, b.id].sort());
      expect(all.plans[0]).toEqual(
        expect.objectContaining({
          title: expect.any(String),
          status: expect.any(String),
          taskCount: 3,
          chunkCount: 2,
          progress: 0,
        }),
      );
      const drafts = (
        await request(http).get('/api/plans').query({ repository: repo, status: 'draft' }).expect(200)
      ).body;
      expect(drafts.plans.map((p: { id: string }) => p.id)).toEqual([a.id]);
      const ready = (
        await request(http).get('/api/plans').query({ repository: repo, status: 'ready' }).expect(200)
      ).body;
      expect(ready.plans.map((p: { id: string }) => p.id)).toEqual([b.id]);
      const page = (
        await request(http).get('/api/plans').query({ repository: repo, limit: 1, offset: 1 }).expect(200)
      ).body;
      expect(page.plans).toHaveLength(1);

      for (const q of [
        'status=bogus',
        'limit=0',
        'limit=abc',
        'offset=-1',
        'includeArchived=maybe',
        'unknown=1',
        'status=draft&status=ready',
      ]) {
        const res = await request(http).get(`/api/plans?${q}`).expect(400);
        expect(res.body.issues.length).toBeGreaterThan(0);
      }
    });

    it('PATCH /plans/:id changes details; stale If-Match or expectedRevision → 409 with the current revision', async () => {
      const { id } = await create();
      const ok = await request(http)
        .patch(`/api/plans/${id}`)
        .set('If-Match', '"1"')
        .send({ title: 'Renamed', execution: { turnScope: 'task' } })
        .expect(200);
      expect(ok.body).toEqual({ id, revision: 2 });
      expect(ok.headers.etag).toBe('"2"');
      expect(await detail(id)).toMatchObject({
        title: 'Renamed',
        execution: { turnScope: 'task' },
        revision: 2,
      });

      const stale = await request(http)
        .patch(`/api/plans/${id}`)
        .set('If-Match', '"1"')
        .send({ title: 'Lost update' })
        .expect(409);
      expect(stale.body).toEqual({
        statusCode: 409,
        error: 'Conflict',
        code: 'stale_revision',
        message: expect.stringContaining('revision 2'),
        currentRevision: 2,
      });
      const staleBody = await request(http)
        .patch(`/api/plans/${id}`)
        .send({ title: 'Lost', expectedRevision: 1 })
        .expect(409);
      expect(staleBody.body.currentRevision).toBe(2);

      await request(http)
        .patch(`/api/plans/${id}`)
        .set('If-Match', 'W/"2"')
        .send({ description: 'weak etag' })
        .expect(200);
      await request(http)
        .patch(`/api/plans/${id}`)
        .set('If-Match', '3')
        .send({ repository: null })
        .expect(200);
      await request(http)
        .patch(`/api/plans/${id}`)
        .send({ description: 'no precondition', expectedRevision: 4 })
        .expect(200);
      await request(http).patch(`/api/plans/${id}`).send({ description: 'last writer' }).expect(200);
      expect(await detail(id)).toMatchObject({ description: 'last writer', repository: null, revision: 6 });

      const malformed = await request(http)
        .patch(`/api/plans/${id}`)
        .set('If-Match', 'abc')
        .send({ title: 'x' })
        .expect(400);
      expect(malformed.body.message).toMatch(/If-Match/);
      await request(http)
        .patch(`/api/plans/${id}`)
        .set('If-Match', '6')
        .send({ title: 'x', expectedRevision: 5 })
        .expect(400);
      const unknownField = await request(http)
        .patch(`/api/plans/${id}`)
        .send({ titel: 'typo', chunks: [] })
        .expect(400);
      expect(unknownField.body.issues.length).toBeGreaterThan(0);
      const badTypes = await request(http)
        .patch(`/api/plans/${id}`)
        .send({ title: '', description: 5, repository: 7 })
        .expect(400);
      expect(badTypes.body.issues.map((i: { path: string }) => i.path).sort()).toEqual([
        'body.description',
        'body.repository',
        'body.title',
      ]);
    });

    it('concurrent PATCHes based on the same revision: exactly one wins, the others get 409', async () => {
      const { id, revision } = await create();
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          request(http)
            .patch(`/api/plans/${id}`)
            .set('If-Match', `"${revision}"`)
            .send({ title: `Writer ${i}` }),
        ),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
      for (const r of results.filter((x) => x.status === 409))
        expect(r.body).toMatchObject({ currentRevision: revision + 1 });
      const winner = results.findIndex((r) => r.status === 200);
      const plan = await detail(id);
      expect(plan.revision).toBe(revision + 1);
      expect(plan.title).toBe(`Writer ${winner}`);
      const history = (await request(http).get(`/api/plans/${id}/history`).expect(200)).body;
      expect(history.entries.map((e: { type: string }) => e.type)).toEqual([
        'PlanCreated',
        'PlanDetailsUpdated',
      ]);
    });

    it('GET /plans/:id?revision=N returns the plan as it was at revision N', async () => {
      const { id } = await create();
      await request(http).patch(`/api/plans/${id}`).send({ title: 'Second title' }).expect(200);
      await request(http)
        .post(`/api/plans/${id}/tasks`)
        .send({ id: 'T4', chunk: 'C02_feature', title: 'Logout' })
        .expect(201);
      await request(http)
        .post(`/api/plans/${id}/feedback`)
        .send({ feedback: 'looks good', author: 'ana' })
        .expect(200);

      const r1 = await request(http).get(`/api/plans/${id}?revision=1`).expect(200);
      expect(r1.headers.etag).toBe('"1"');
      expect(r1.body).toMatchObject({
        id,
        revision: 1,
        title: 'Add OAuth login',
        taskCount: 3,
        feedback: [],
      });
      const r2 = (await request(http).get(`/api/plans/${id}?revision=2`).expect(200)).body;
      expect(r2).toMatchObject({ revision: 2, title: 'Second title', taskCount: 3 });
      const r3 = (await request(http).get(`/api/plans/${id}?revision=3`).expect(200)).body;
      expect(r3).toMatchObject({
        revision: 3,
        taskCount: 4,
        feedback: [{ revision: 3, feedback: 'looks good', author: 'ana', mode: null }],
      });
      // The latest revision through time travel equals the read model.
      const current = await detail(id);
      expect({ ...r3, updatedAt: undefined }).toEqual({ ...current, updatedAt: undefined });

      await request(http).get(`/api/plans/${id}?revision=0`).expect(404);
      await request(http).get(`/api/plans/${id}?revision=4`).expect(404);
      await request(http).get(`/api/plans/${id}?revision=abc`).expect(400);
      await request(http).get(`/api/plans/${id}?revision=-1`).expect(400);
      await request(http).get('/api/plans/p_doesnotexist?revision=1').expect(404);
    });

    it('GET /plans/:id/history lists every event and the feedback', async () => {
      const { id } = await create();
      await request(http)
        .post(`/api/plans/${id}/feedback`)
        .send({ feedback: 'split T2', author: 'bo' })
        .expect(200);
      await request(http).patch(`/api/plans/${id}`).send({ title: 'After feedback' }).expect(200);
      await request(http).post(`/api/plans/${id}/feedback`).send({ feedback: 'better' }).expect(200);
      const res = await request(http).get(`/api/plans/${id}/history`).expect(200);
      expect(res.body.planId).toBe(id);
      expect(res.body.entries.map((e: { type: string; revision: number }) => [e.type, e.revision])).toEqual([
        ['PlanCreated', 1],
        ['FeedbackRecorded', 1],
        ['PlanDetailsUpdated', 2],
        ['FeedbackRecorded', 2],
      ]);
      expect(res.body.entries[0]).toMatchObject({
        streamRevision: 0,
        metadata: { command: 'CreatePlan', actor: 'api' },
      });
      expect(res.body.feedback).toEqual([
        { revision: 1, feedback: 'split T2', author: 'bo', mode: null },
        { revision: 2, feedback: 'better', author: null, mode: null },
      ]);
      await request(http).post(`/api/plans/${id}/feedback`).send({ feedback: '' }).expect(400);
      await request(http).post(`/api/plans/${id}/feedback`).send({ feedback: '   ' }).expect(400);
      await request(http).post(`/api/plans/${id}/feedback`).send({}).expect(400);
    });

    it('records the actor and correlation id of a write', async () => {
      const res = await request(http)
        .post('/api/plans')
        .set('X-Chunkwise-Actor', 'cli:ana')
        .set('X-Request-Id', 'req-42')
        .send(sampleDocument())
        .expect(201);
      const history = (await request(http).get(`/api/plans/${res.body.id}/history`).expect(200)).body;
      expect(history.entries[0].metadata).toMatchObject({ actor: 'cli:ana', correlationId: 'req-42' });
    });

    it('validate, finalize (freezes), edits refused, reopen (next revision), edit again', async () => {
      const { id } = await create();
      expect((await request(http).post(`/api/plans/${id}/validate`).expect(200)).body).toEqual({
        valid: true,
        issues: [],
      });

      const fin = await request(http).post(`/api/plans/${id}/finalize`).set('If-Match', '"1"').expect(200);
      expect(fin.body).toEqual({ id, revision: 1 });
      expect(await detail(id)).toMatchObject({ status: 'ready', finalizedRevision: 1, revision: 1 });

      const frozen = await request(http).patch(`/api/plans/${id}`).send({ title: 'Too late' }).expect(409);
      expect(frozen.body).toMatchObject({ statusCode: 409, error: 'Conflict', code: 'plan_frozen' });
      await request(http)
        .post(`/api/plans/${id}/tasks`)
        .send({ id: 'T9', chunk: 'C01_foundation', title: 'late' })
        .expect(409);
      await request(http).patch(`/api/plans/${id}/tasks/T1`).send({ title: 'late' }).expect(409);
      await request(http).post(`/api/plans/${id}/chunks`).send({ key: 'C09' }).expect(409);
      await request(http).post(`/api/plans/${id}/finalize`).expect(409);
      // Feedback is still welcome on a finalized plan.
      await request(http).post(`/api/plans/${id}/feedback`).send({ feedback: 'ship it' }).expect(200);

      const reopened = await request(http)
        .post(`/api/plans/${id}/reopen`)
        .send({ reason: 'more work', expectedRevision: 1 })
        .expect(200);
      expect(reopened.body).toEqual({ id, revision: 2 });
      expect(await detail(id)).toMatchObject({ status: 'draft', finalizedRevision: null, revision: 2 });
      const again = await request(http).post(`/api/plans/${id}/reopen`).send({}).expect(409);
      expect(again.body.code).toBe('invalid_transition');
      await request(http)
        .patch(`/api/plans/${id}`)
        .set('If-Match', '"2"')
        .send({ title: 'Edited after reopen' })
        .expect(200);
      expect((await detail(id)).revision).toBe(3);
    });

    it('validate on a plan that cannot be finalized lists the problems; finalize refuses with them', async () => {
      const { id } = await create({ title: 'No tasks yet' });
      const res = await request(http).post(`/api/plans/${id}/validate`).expect(200);
      expect(res.body).toEqual({ valid: false, issues: [expect.objectContaining({ code: 'empty_plan' })] });
      const fin = await request(http).post(`/api/plans/${id}/finalize`).expect(400);
      expect(fin.body.issues).toEqual([expect.objectContaining({ code: 'empty_plan' })]);
    });

    it('DELETE /plans/:id archives: hidden from the list unless includeArchived, writes refused, still readable', async () => {
      const repo = `/repos/archive-${Date.now()}`;
      const { id } = await create({ ...sampleDocument(), repository: repo });
      const res = await request(http).delete(`/api/plans/${id}`).set('If-Match', '"1"').expect(200);
      expect(res.body).toEqual({ id, revision: 1, archived: true });
      expect(
        (await request(http).get('/api/plans').query({ repository: repo }).expect(200)).body.plans,
      ).toEqual([]);
      const withArchived = (
        await request(http).get('/api/plans').query({ repository: repo, includeArchived: 'true' }).expect(200)
      ).body;
      expect(withArchived.plans).toEqual([expect.objectContaining({ id, archived: true })]);
      expect(await detail(id)).toMatchObject({ archived: true });
      const refused = await request(http).patch(`/api/plans/${id}`).send({ title: 'x' }).expect(409);
      expect(refused.body.code).toBe('plan_archived');
      await request(http).delete(`/api/plans/${id}`).expect(409);
    });
  });

  describe('chunks', () => {
    it('lists, adds, updates, reorders and removes chunks', async () => {
      const { id } = await create();
      const list = (await request(http).get(`/api/plans/${id}/chunks`).expect(200)).body;
      expect(list).toMatchObject({ planId: id, revision: 1 });
      expect(list.chunks.map((c: { key: string }) => c.key)).toEqual(['C01_foundation', 'C02_feature']);
      expect(list.chunks[0].stats).toMatchObject({ tasks: 2, progress: 0 });

      const added = await request(http)
        .post(`/api/plans/${id}/chunks`)
        .set('If-Match', '1')
        .send({ key: 'C00_prep', title: 'Prep', index: 0, pauseAfter: true })
        .expect(201);
      expect(added.body).toEqual({ id, revision: 2 });
      await request(http).post(`/api/plans/${id}/chunks`).send({ key: 'C03_docs' }).expect(201);
      let chunks = (await detail(id)).chunks;
      expect(chunks.map((c) => c.key)).toEqual(['C00_prep', 'C01_foundation', 'C02_feature', 'C03_docs']);
      expect(chunks[0]).toMatchObject({ title: 'Prep', pauseAfter: true, executionMode: 'sequential' });
      expect(chunks[3].title).toBe('C03_docs');

      const dup = await request(http).post(`/api/plans/${id}/chunks`).send({ key: 'C00_prep' }).expect(409);
      expect(dup.body.code).toBe('chunk_exists');
      const invalid = await request(http)
        .post(`/api/plans/${id}/chunks`)
        .send({ key: 'bad key!', executionMode: 'sometimes', extra: 1 })
        .expect(400);
      expect(invalid.body.issues.length).toBe(3);
      await request(http).post(`/api/plans/${id}/chunks`).send({ key: 'C05', index: 99 }).expect(400);

      await request(http)
        .patch(`/api/plans/${id}/chunks/C03_docs`)
        .send({ title: 'Docs', description: 'write docs', executionMode: 'manual', pauseAfter: true })
        .expect(200);
      chunks = (await detail(id)).chunks;
      expect(chunks[3]).toMatchObject({
        key: 'C03_docs',
        title: 'Docs',
        description: 'write docs',
        executionMode: 'manual',
        pauseAfter: true,
      });
      await request(http).patch(`/api/plans/${id}/chunks/NOPE`).send({ title: 'x' }).expect(404);

      const order = ['C01_foundation', 'C00_prep', 'C02_feature', 'C03_docs'];
      await request(http).put(`/api/plans/${id}/chunks/order`).send({ order }).expect(200);
      expect((await detail(id)).chunks.map((c) => c.key)).toEqual(order);
      const badOrder = await request(http)
        .put(`/api/plans/${id}/chunks/order`)
        .send({ order: ['C01_foundation'] })
        .expect(400);
      expect(badOrder.body.code).toBe('invalid_command');
      // Moving C02 before C01 would put T3's dependency in a later chunk: refused with the issue.
      const breaking = await request(http)
        .put(`/api/plans/${id}/chunks/order`)
        .send({ order: ['C02_feature', 'C01_foundation', 'C00_prep', 'C03_docs'] })
        .expect(400);
      expect(breaking.body.issues).toEqual([
        expect.objectContaining({ code: 'dependency_on_later_chunk', taskId: 'T3' }),
      ]);

      const notEmpty = await request(http).delete(`/api/plans/${id}/chunks/C01_foundation`).expect(409);
      expect(notEmpty.body.code).toBe('chunk_not_empty');
      const removed = await request(http).delete(`/api/plans/${id}/chunks/C03_docs`).expect(200);
      expect(removed.body.revision).toBe((await detail(id)).revision);
      expect((await detail(id)).chunks.map((c) => c.key)).toEqual([
        'C01_foundation',
        'C00_prep',
        'C02_feature',
      ]);
      await request(http).delete(`/api/plans/${id}/chunks/C03_docs`).expect(404);
      await request(http).get('/api/plans/p_nonexistent00/chunks').expect(404);
    });
  });

  describe('tasks', () => {
    it('lists, reads, adds, updates, re-links, moves and removes tasks', async () => {
      const { id } = await create();
      const list = (await request(http).get(`/api/plans/${id}/tasks`).expect(200)).body;
      expect(list).toMatchObject({ planId: id, revision: 1 });
      expect(list.tasks.map((t: { id: string }) => t.id)).toEqual(['T1', 'T2', 'T3']);
      const t2 = (await request(http).get(`/api/plans/${id}/tasks/T2`).expect(200)).body;
      expect(t2).toMatchObject({ id: 'T2', chunk: 'C01_foundation', dependsOn: ['T1'], status: 'pending' });
      const missing = await request(http).get(`/api/plans/${id}/tasks/T99`).expect(404);
      expect(missing.body.code).toBe('task_not_found');

      const added = await request(http)
        .post(`/api/plans/${id}/tasks`)
        .send({
          id: 'T1b',
          chunk: 'C01_foundation',
          title: 'Between',
          beforeTaskId: 'T2',
          dependsOn: ['T1'],
          acceptance: ['a', 'b'],
        })
        .expect(201);
      expect(added.body).toEqual({ id, revision: 2 });
      expect(added.headers.location).toBe(`/api/plans/${id}/tasks/T1b`);
      expect((await detail(id)).chunks[0].tasks.map((t) => t.id)).toEqual(['T1', 'T1b', 'T2']);

      const dup = await request(http)
        .post(`/api/plans/${id}/tasks`)
        .send({ id: 'T1', chunk: 'C01_foundation', title: 'dup' })
        .expect(400);
      expect(dup.body.issues).toEqual([expect.objectContaining({ code: 'duplicate_task_id', taskId: 'T1' })]);
      const bad = await request(http)
        .post(`/api/plans/${id}/tasks`)
        .send({ id: 'T7', chunk: 'NOPE', title: 'x', dependsOn: ['T3', 'GHOST'] })
        .expect(400);
      expect(bad.body.issues.map((i: { code: string }) => i.code).sort()).toEqual([
        'unknown_chunk',
        'unknown_dependency',
      ]);
      await request(http)
        .post(`/api/plans/${id}/tasks`)
        .send({ id: 'T8', chunk: 'C01_foundation', title: 'x', beforeTaskId: 'T3' })
        .expect(400);
      await request(http)
        .post(`/api/plans/${id}/tasks`)
        .send({ id: 'T8', chunk: 'C01_foundation', title: 'x', beforeTaskId: 'T404' })
        .expect(404);

      await request(http)
        .patch(`/api/plans/${id}/tasks/T3`)
        .send({
          title: 'Login route v2',
          description: 'GET /login',
          acceptance: ['302 to GitHub'],
          canRunInParallel: true,
        })
        .expect(200);
      expect((await request(http).get(`/api/plans/${id}/tasks/T3`).expect(200)).body).toMatchObject({
        title: 'Login route v2',
        description: 'GET /login',
        acceptance: ['302 to GitHub'],
        canRunInParallel: true,
      });
      await request(http).patch(`/api/plans/${id}/tasks/T3`).send({ status: 'completed' }).expect(400);
      await request(http).patch(`/api/plans/${id}/tasks/T404`).send({ title: 'x' }).expect(404);

      await request(http)
        .put(`/api/plans/${id}/tasks/T3/dependencies`)
        .send({ dependsOn: ['T1', 'T1b'] })
        .expect(200);
      expect((await request(http).get(`/api/plans/${id}/tasks/T3`).expect(200)).body.dependsOn).toEqual([
        'T1',
        'T1b',
      ]);
      const cycle = await request(http)
        .put(`/api/plans/${id}/tasks/T1/dependencies`)
        .send({ dependsOn: ['T2'] })
        .expect(400);
      expect(cycle.body.issues).toEqual([expect.objectContaining({ code: 'dependency_cycle' })]);
      await request(http).put(`/api/plans/${id}/tasks/T1/dependencies`).send({ dependsOn: 'T2' }).expect(400);

      await request(http)
        .post(`/api/plans/${id}/tasks/T3/move`)
        .send({ toChunk: 'C01_foundation', beforeTaskId: 'T2' })
        .expect(200);
      expect((await detail(id)).chunks.map((c) => c.tasks.map((t) => t.id))).toEqual([
        ['T1', 'T1b', 'T3', 'T2'],
        [],
      ]);
      await request(http).post(`/api/plans/${id}/tasks/T3/move`).send({ toChunk: 'NOPE' }).expect(404);
      await request(http).post(`/api/plans/${id}/tasks/T3/move`).send({}).expect(400);

      const depended = await request(http).delete(`/api/plans/${id}/tasks/T1`).expect(400);
      expect(depended.body).toMatchObject({
        code: 'invalid_command',
        message: expect.stringContaining('T1b'),
      });
      const rev = (await detail(id)).revision;
      const removed = await request(http)
        .delete(`/api/plans/${id}/tasks/T2`)
        .set('If-Match', `"${rev}"`)
        .expect(200);
      expect(removed.body).toEqual({ id, revision: rev + 1 });
      await request(http).delete(`/api/plans/${id}/tasks/T2`).expect(404);
      expect(
        (await request(http).get(`/api/plans/${id}/tasks`).expect(200)).body.tasks.map(
          (t: { id: string }) => t.id,
        ),
      ).toEqual(['T1', 'T1b', 'T3']);
    });
  });

  describe('errors', () => {
    it('unknown plan id → 404 on every route', async () => {
      const id = 'p_000000000000';
      const cases: Array<[string, string, object?]> = [
        ['get', `/api/plans/${id}`],
        ['patch', `/api/plans/${id}`, { title: 'x' }],
        ['delete', `/api/plans/${id}`],
        ['get', `/api/plans/${id}/history`],
        ['post', `/api/plans/${id}/validate`],
        ['post', `/api/plans/${id}/finalize`],
        ['post', `/api/plans/${id}/reopen`, {}],
        ['post', `/api/plans/${id}/feedback`, { feedback: 'x' }],
        ['get', `/api/plans/${id}/chunks`],
        ['post', `/api/plans/${id}/chunks`, { key: 'C1' }],
        ['patch', `/api/plans/${id}/chunks/C1`, { title: 'x' }],
        ['delete', `/api/plans/${id}/chunks/C1`],
        ['put', `/api/plans/${id}/chunks/order`, { order: [] }],
        ['get', `/api/plans/${id}/tasks`],
        ['get', `/api/plans/${id}/tasks/T1`],
        ['post', `/api/plans/${id}/tasks`, { id: 'T1', chunk: 'C1', title: 'x' }],
        ['patch', `/api/plans/${id}/tasks/T1`, { title: 'x' }],
        ['put', `/api/plans/${id}/tasks/T1/dependencies`, { dependsOn: [] }],
        ['post', `/api/plans/${id}/tasks/T1/move`, { toChunk: 'C1' }],
        ['delete', `/api/plans/${id}/tasks/T1`],
      ];
      for (const [method, path, body] of cases) {
        const req = (request(http) as unknown as Record<string, (p: string) => request.Test>)[method](path);
        const res = await (body ? req.send(body) : req);
        expect([method, path, res.status]).toEqual([method, path, 404]);
        expect(res.body).toMatchObject({
          statusCode: 404,
          error: 'Not Found',
          message: expect.stringContaining(id),
        });
      }
    });

    it('unknown route → 404 JSON', async () => {
      const res = await request(http).get('/api/nothing-here').expect(404);
      expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
      await request(http).post('/api/plans/p_x/unknown').send({}).expect(404);
      // Outside /api is the dashboard (a page for any path: the app routes it).
      const page = await request(http).get('/elsewhere');
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    });

    it('malformed JSON → 400 "malformed JSON body"; over the body limit → 413; other media types → 415', async () => {
      const malformed = await request(http)
        .post('/api/plans')
        .set('Content-Type', 'application/json')
        .send('{"title": "x",')
        .expect(400);
      expect(malformed.body).toMatchObject({
        statusCode: 400,
        error: 'Bad Request',
        message: expect.stringMatching(/^malformed JSON body: /),
      });
      const { id } = await create();
      await request(http)
        .patch(`/api/plans/${id}`)
        .set('Content-Type', 'application/json')
        .send('{title: x}')
        .expect(400);

      const big = { title: 'big', description: 'x'.repeat(BODY_LIMIT + 10) };
      const tooLarge = await request(http).post('/api/plans').send(big).expect(413);
      expect(tooLarge.body).toMatchObject({
        statusCode: 413,
        error: 'Payload Too Large',
        message: expect.stringContaining(String(BODY_LIMIT)),
      });
      const tooLargeYaml = await request(http)
        .post('/api/plans')
        .set('Content-Type', 'application/yaml')
        .send(`title: ${'y'.repeat(BODY_LIMIT + 10)}\n`)
        .expect(413);
      expect(tooLargeYaml.body.statusCode).toBe(413);

      await request(http).post('/api/plans').set('Content-Type', 'text/plain').send('title: x').expect(415);
      await request(http).post('/api/plans').type('form').send({ title: 'x' }).expect(415);
    });

    it('a large plan within the limit is accepted', async () => {
      const tasks = Array.from({ length: 300 }, (_, i) => ({
        id: `T${i}`,
        chunk: `C${String(Math.floor(i / 30)).padStart(2, '0')}`,
        title: `Task ${i}`,
        description: 'd'.repeat(200),
        dependsOn: i > 0 ? [`T${i - 1}`] : [],
      }));
      const res = await request(http).post('/api/plans').send({ title: 'Large', tasks }).expect(201);
      const plan = await detail(res.body.id);
      expect(plan.taskCount).toBe(300);
      expect(plan.chunkCount).toBe(10);
    });

    it('never answers a user mistake with a 500', async () => {
      const { id } = await create();
      const probes: Array<{
        method: string;
        path: string;
        body?: unknown;
        type?: string;
        headers?: Record<string, string>;
      }> = [
        { method: 'post', path: '/api/plans', body: 'null', type: 'application/json' },
        { method: 'post', path: '/api/plans', body: '"just a string"', type: 'application/json' },
        { method: 'post', path: '/api/plans', body: '42', type: 'application/json' },
        { method: 'post', path: '/api/plans', body: '[]', type: 'application/json' },
        { method: 'post', path: '/api/plans', body: '- a\n- b\n', type: 'application/yaml' },
        { method: 'post', path: '/api/plans', body: '', type: 'application/yaml' },
        { method: 'post', path: '/api/plans', body: { title: 'x', tasks: [null, 1, 'a', { id: {} }] } },
        {
          method: 'post',
          path: '/api/plans',
          body: { title: 'x', chunks: 'nope', execution: 5, expectedRevision: 'abc' },
        },
        {
          method: 'post',
          path: '/api/plans',
          body: { title: 'x'.repeat(10_000), tasks: [{ id: 'a b', chunk: '!!', title: 't' }] },
        },
        {
          method: 'post',
          path: '/api/plans',
          body: { title: 'x', tasks: [{ id: 'A', chunk: 'C', title: 't', dependsOn: [{ x: 1 }] }] },
        },
        {
          method: 'post',
          path: '/api/plans',
          body: '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "title": ""}',
          type: 'application/json',
        },
        {
          method: 'patch',
          path: `/api/plans/${id}`,
          body: '{"__proto__": {"polluted": true}}',
          type: 'application/json',
        },
        { method: 'patch', path: `/api/plans/${id}`, body: { execution: 'str' } },
        { method: 'patch', path: `/api/plans/${id}`, body: [1] },
        {
          method: 'patch',
          path: `/api/plans/${id}`,
          body: { title: 'x' },
          headers: { 'If-Match': '99999999999999999999' },
        },
        {
          method: 'patch',
          path: `/api/plans/${id}`,
          body: { title: 'x' },
          headers: { 'If-Match': '"1", "2"' },
        },
        { method: 'patch', path: `/api/plans/${id}`, body: { expectedRevision: 1.5 } },
        { method: 'patch', path: `/api/plans/${id}`, body: { expectedRevision: -3 } },
        { method: 'post', path: `/api/plans/${id}/chunks`, body: { key: 'C9', index: -1 } },
        { method: 'post', path: `/api/plans/${id}/chunks`, body: { key: 'C9', index: 1e300 } },
        { method: 'post', path: `/api/plans/${id}/chunks`, body: { key: 'C'.repeat(500) } },
        {
          method: 'put',
          path: `/api/plans/${id}/chunks/order`,
          body: { order: ['C01_foundation', 'C01_foundation'] },
        },
        { method: 'put', path: `/api/plans/${id}/chunks/order`, body: { order: [null] } },
        { method: 'post', path: `/api/plans/${id}/tasks`, body: {} },
        {
          method: 'post',
          path: `/api/plans/${id}/tasks`,
          body: { id: 'T5', chunk: 'C01_foundation', title: 'x', dependsOn: ['T5'] },
        },
        {
          method: 'post',
          path: `/api/plans/${id}/tasks/T1/move`,
          body: { toChunk: 'C02_feature', beforeTaskId: 'T1' },
        },
        { method: 'post', path: `/api/plans/${id}/tasks/T1/move`, body: { toChunk: 'C02_feature' } },
        { method: 'put', path: `/api/plans/${id}/tasks/T2/dependencies`, body: { dependsOn: ['T3'] } },
        { method: 'put', path: `/api/plans/${id}/tasks/T2/dependencies`, body: { dependsOn: [''] } },
        { method: 'post', path: `/api/plans/${id}/feedback`, body: { feedback: 5 } },
        { method: 'post', path: `/api/plans/${id}/reopen`, body: { reason: ['x'] } },
        { method: 'post', path: `/api/plans/${id}/finalize`, body: { force: true } },
        { method: 'get', path: '/api/plans/%FF' },
        { method: 'get', path: `/api/plans/${'x'.repeat(5000)}` },
        { method: 'get', path: `/api/plans/${id}/tasks/%E0%A4%A` },
        { method: 'get', path: '/api/plans?limit=1e400' },
        { method: 'get', path: `/api/plans/${id}?revision=99999999999999999999` },
        { method: 'get', path: `/api/plans/${id}?revision[]=1` },
        {
          method: 'delete',
          path: `/api/plans/${id}`,
          body: '{"expectedRevision": "1"}',
          type: 'application/json',
        },
        {
          method: 'post',
          path: '/api/plans',
          body: '{"title":"x"}',
          type: 'application/json; charset=latin-9',
        },
      ];
      for (const probe of probes) {
        let req = (request(http) as unknown as Record<string, (p: string) => request.Test>)[probe.method](
          probe.path,
        );
        for (const [k, v] of Object.entries(probe.headers ?? {})) req = req.set(k, v);
        if (probe.type) req = req.set('Content-Type', probe.type);
        const res = await (probe.body !== undefined ? req.send(probe.body as object) : req);
        if (process.env.SHOW_PROBES)
          console.log(
            probe.method,
            probe.path.slice(0, 60),
            res.status,
            JSON.stringify(res.body).slice(0, 300),
          );
        if (res.status >= 500 || res.status < 400)
          throw new Error(
            `${probe.method} ${probe.path} ${JSON.stringify(probe.body)} → ${res.status} ${JSON.stringify(res.body)}`,
          );
        expect(res.body).toEqual(
          expect.objectContaining({ statusCode: res.status, message: expect.any(String) }),
        );
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });

  describe('authentication', () => {
    let secured: NestExpressApplication;
    let shttp: ReturnType<NestExpressApplication['getHttpServer']>;

    beforeAll(async () => {
      // A second instance on the same stores, without its own projector: it also exercises
      // read-your-writes when the active projector runs elsewhere.
      secured = await createApp(
        { ...config, apiToken: TOKEN, runProjector: false },
        {
          eventStore: app.get<EventStore>(EVENT_STORE),
          readModels: app.get<ReadModelStore>(READ_MODEL_STORE),
          logger: ['error'],
        },
      );
      shttp = secured.getHttpServer();
    });
    afterAll(async () => secured?.close());

    it('without a token → 401 everywhere except health and docs', async () => {
      const none = await request(shttp).get('/api/plans').expect(401);
      expect(none.body).toMatchObject({
        statusCode: 401,
        error: 'Unauthorized',
        message: expect.stringMatching(/missing bearer token/),
      });
      expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
      await request(shttp).post('/api/plans').send(sampleDocument()).expect(401);
      await request(shttp).get('/api/nothing-here').expect(401);
      await request(shttp).get('/api/plans').set('Authorization', `Bearer ${TOKEN}x`).expect(401);
      await request(shttp).get('/api/plans').set('Authorization', `Basic ${TOKEN}`).expect(401);
      const wrong = await request(shttp).get('/api/plans').set('Authorization', 'Bearer wrong').expect(401);
      expect(wrong.body.message).toBe('invalid bearer token');
      // An unauthenticated body is never parsed: an oversized one is refused with 401, not 413.
      await request(shttp)
        .post('/api/plans')
        .send({ title: 'x'.repeat(BODY_LIMIT * 2) })
        .expect(401);

      await request(shttp).get('/api/health').expect(200);
      await request(shttp).get('/api/docs-json').expect(200);
    });

    it('with the token → works, and reads its own writes through the shared read models', async () => {
      const auth = { Authorization: `Bearer ${TOKEN}` };
      const created = await request(shttp).post('/api/plans').set(auth).send(sampleDocument()).expect(201);
      const got = await request(shttp).get(`/api/plans/${created.body.id}`).set(auth).expect(200);
      expect(got.body.title).toBe('Add OAuth login');
      await request(shttp)
        .patch(`/api/plans/${created.body.id}`)
        .set(auth)
        .set('If-Match', '"1"')
        .send({ title: 'Secured' })
        .expect(200);
      expect(
        (await request(shttp).get(`/api/plans/${created.body.id}`).set(auth).expect(200)).body.title,
      ).toBe('Secured');
      const health = (await request(shttp).get('/api/health').expect(200)).body;
      expect(health.readModels.projector).toBe('off');
    });
  });

  describe('lifecycle', () => {
    it('app.close() releases everything; a new app on the same configuration sees the same plans', async () => {
      const { id } = await create({ ...sampleDocument(), title: 'Survives restart' });
      await app.close();
      app = await createApp(config, { logger: ['error'] });
      http = app.getHttpServer();
      expect((await detail(id)).title).toBe('Survives restart');
      const health = (await request(http).get('/api/health').expect(200)).body;
      expect(health.readModels.lag).toBe(0);
    });
  });
});
