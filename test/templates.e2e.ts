/**
 * Plan templates over the REST API, on the real application (createApp, SQLite in a temp dir):
 * the five built-ins listed and each rendered into a valid draft plan, the parameter errors (400
 * naming the parameter), unknown templates (404), versioned saves (a stale version is 409), a plan
 * saved as a template, and a plan created from that template finalized and executed to completion
 * on the real Temporal dev server with real git and the deterministic agent as a child process.
 */
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import request from 'supertest';
import { startApiStack, type ApiStack } from './support/api-stack';
import { git, makeRepo, testAgentSettings } from './support/session-harness';
import { withTemporalCli } from './support/temporal-cli';
import { makeTempDir } from './support/temp-dir';

jest.setTimeout(240_000);
Runtime.install({ logger: new DefaultLogger('WARN') });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const BUILTINS = [
  'add-api-endpoint',
  'add-authentication',
  'add-crud-resource',
  'fix-bug',
  'upgrade-dependency',
];

interface Parameter {
  name: string;
  required: boolean;
  default?: string;
  example?: string;
}

withTemporalCli('test/templates.e2e.ts', ({ path: binary }) => {
  describe('plan templates over the REST API', () => {
    const tmp = makeTempDir('cw-templates-');
    let stack: ApiStack;
    let api: () => ReturnType<typeof request>;

    beforeAll(async () => {
      stack = await startApiStack({ binary, root: tmp.path, hostId: 'templates-test-host' });
      api = () => request(stack.app.getHttpServer());
    });

    afterAll(async () => {
      await stack?.close();
      tmp.remove();
    });

    /** A value for every required parameter: its example, else a word. */
    const valuesFor = (parameters: Parameter[]) =>
      Object.fromEntries(
        parameters.filter((p) => p.required).map((p) => [p.name, p.example ?? `the ${p.name}`]),
      );

    test('lists the five built-in templates; each renders with parameters into a valid draft plan', async () => {
      const list = await api().get('/api/templates');
      expect(list.status).toBe(200);
      const builtins = (
        list.body.templates as Array<{ name: string; builtin: boolean; version: number }>
      ).filter((t) => t.builtin);
      expect(builtins.map((t) => t.name)).toEqual(BUILTINS);
      for (const t of builtins) expect(t.version).toBe(0);

      for (const name of BUILTINS) {
        const template = await api().get(`/api/templates/${name}`);
        expect(template.status).toBe(200);
        expect(template.headers.etag).toBe('"0"');
        expect(template.body).toMatchObject({ name, version: 0, source: { kind: 'builtin' } });
        const params = valuesFor(template.body.parameters);
        expect(Object.keys(params).length).toBeGreaterThan(0);

        const created = await api().post(`/api/templates/${name}/plans`).send({ params });
        expect(created.status).toBe(201);
        expect(created.body).toMatchObject({ revision: 1, template: { name, version: 0 } });
        expect(created.headers.location).toBe(`/api/plans/${created.body.id}`);

        const plan = await api().get(`/api/plans/${created.body.id}`);
        expect(plan.status).toBe(200);
        expect(plan.body.status).toBe('draft');
        const text = JSON.stringify(plan.body);
        expect(text).not.toMatch(/\{\{/);
        for (const value of Object.values(params)) expect(text).toContain(value);
        // The finalize rules hold: the rendered plan is valid.
        const validation = await api().post(`/api/plans/${created.body.id}/validate`).send({});
        expect(validation.body).toEqual({ valid: true, issues: [] });
        // The plan's history says which template and version it came from.
        const history = await api().get(`/api/plans/${created.body.id}/history`);
        expect(JSON.stringify(history.body.entries[0])).toContain(`${name}@0`);
      }
    });

    test('parameter errors are 400 naming the parameter; unknown templates and versions are 404', async () => {
      const missing = await api()
        .post('/api/templates/add-crud-resource/plans')
        .send({ params: { resource: 'invoice' } });
      expect(missing.status).toBe(400);
      expect(missing.body.code).toBe('validation_failed');
      expect(missing.body.issues).toEqual([
        expect.objectContaining({ code: 'missing_parameter', path: 'params.fields' }),
      ]);
      expect(missing.body.message).toMatch(/missing parameter fields/);

      const unknown = await api()
        .post('/api/templates/fix-bug/plans')
        .send({ params: { bug: 'x is wrong', colour: 'red' } });
      expect(unknown.status).toBe(400);
      expect(unknown.body.issues[0]).toMatchObject({ code: 'unknown_parameter', path: 'params.colour' });

      const notText = await api()
        .post('/api/templates/fix-bug/plans')
        .send({ params: { bug: 3 } });
      expect(notText.status).toBe(400);

      const tooLong = await api()
        .post('/api/templates/fix-bug/plans')
        .send({ params: { bug: 'b'.repeat(600) } });
      expect(tooLong.status).toBe(400);
      expect(tooLong.body.message).toMatch(/rendered an invalid plan/);

      const none = await api().post('/api/templates/no-such-template/plans').send({ params: {} });
      expect(none.status).toBe(404);
      expect(none.body.code).toBe('template_not_found');
      expect((await api().get('/api/templates/no-such-template')).status).toBe(404);
      expect((await api().get('/api/templates/fix-bug?version=7')).status).toBe(404);
      expect((await api().get('/api/templates/fix-bug?version=x')).status).toBe(400);
      expect((await api().get('/api/templates/..%2Fetc')).status).toBe(404);
    });

    test('saves are versioned: every version readable, a stale version is 409, a built-in name gets its own versions', async () => {
      const definition = {
        name: 'add-flag',
        title: 'Add a feature flag',
        parameters: [{ name: 'flag', description: 'the flag name' }],
        document: {
          title: 'Add the {{flag}} flag',
          tasks: [{ id: 'F1', chunk: 'C01', title: 'Add {{flag}}', description: 'Wire {{flag}} in' }],
        },
      };
      const v1 = await api().post('/api/templates').send(definition);
      expect(v1.status).toBe(201);
      expect(v1.body).toMatchObject({ name: 'add-flag', version: 1, source: { kind: 'api' } });
      expect(v1.headers.location).toBe('/api/templates/add-flag?version=1');

      const v2 = await api()
        .post('/api/templates')
        .send({ ...definition, title: 'Add a feature flag (v2)', expectedVersion: 1 });
      expect(v2.status).toBe(201);
      expect(v2.body.version).toBe(2);

      const stale = await api()
        .post('/api/templates')
        .send({ ...definition, title: 'Lost update', expectedVersion: 1 });
      expect(stale.status).toBe(409);
      expect(stale.body).toMatchObject({ code: 'stale_revision', currentRevision: 2 });
      expect(stale.body.message).toMatch(/template add-flag is at version 2, not 1/);
      const staleIfMatch = await api()
        .post('/api/templates')
        .set('If-Match', '"1"')
        .send({ ...definition, title: 'Lost update' });
      expect(staleIfMatch.status).toBe(409);

      const versions = await api().get('/api/templates/add-flag/versions');
      expect(
        versions.body.versions.map((v: { version: number; title: string }) => [v.version, v.title]),
      ).toEqual([
        [1, 'Add a feature flag'],
        [2, 'Add a feature flag (v2)'],
      ]);
      expect((await api().get('/api/templates/add-flag?version=1')).body.title).toBe('Add a feature flag');
      expect((await api().get('/api/templates/add-flag')).body.title).toBe('Add a feature flag (v2)');
      // A plan from an older version, on request.
      const fromV1 = await api()
        .post('/api/templates/add-flag/plans')
        .send({ params: { flag: 'dark-mode' }, version: 1 });
      expect(fromV1.body.template).toEqual({ name: 'add-flag', version: 1 });

      // An invalid definition is refused with every problem, and nothing is stored.
      const invalid = await api()
        .post('/api/templates')
        .send({ ...definition, parameters: [], expectedVersion: 2 });
      expect(invalid.status).toBe(400);
      expect(invalid.body.issues[0]).toMatchObject({ code: 'undeclared_placeholder' });
      expect((await api().get('/api/templates/add-flag')).body.version).toBe(2);

      // Over a built-in: version 1 of its own; version 0 stays the built-in.
      const builtin = (await api().get('/api/templates/fix-bug')).body;
      const over = await api().post('/api/templates').send({
        name: 'fix-bug',
        title: 'Fix a bug (ours)',
        parameters: builtin.parameters,
        document: builtin.document,
        expectedVersion: 0,
      });
      expect(over.status).toBe(201);
      expect(over.body.version).toBe(1);
      expect((await api().get('/api/templates/fix-bug?version=0')).body.title).toBe(
        'Fix a bug, regression test first',
      );
      const listed = (await api().get('/api/templates')).body.templates.find(
        (t: { name: string }) => t.name === 'fix-bug',
      );
      expect(listed).toMatchObject({ version: 1, builtin: true, title: 'Fix a bug (ours)' });
    });

    test('a plan saved as a template, rendered with other values, validates and runs to completion (real stack, real git)', async () => {
      const repo = makeRepo(join(tmp.path, 'target'));
      const agentLog = join(tmp.path, 'agent-log');
      const registered = await api()
        .post('/api/repositories')
        .send({
          path: repo,
          name: 'target',
          defaults: testAgentSettings(agentLog),
        });
      expect(registered.status).toBe(201);
      const repository = `repo:${registered.body.id}`;

      // A plan whose texts name "invoice"; the agent follows the `write` lines of the descriptions.
      const original = await api()
        .post('/api/plans')
        .send({
          title: 'Add the invoice resource',
          repository,
          chunks: [
            { key: 'C01_model', title: 'invoice model' },
            { key: 'C02_api', title: 'invoice routes' },
          ],
          tasks: [
            {
              id: 'T1',
              chunk: 'C01_model',
              title: 'Model of invoice',
              description: 'write src/invoice/model.txt invoice model',
            },
            {
              id: 'T2',
              chunk: 'C02_api',
              title: 'Routes of invoice under {{base}}',
              description: 'write src/invoice/routes.txt {{base}}/invoice',
              dependsOn: ['T1'],
            },
          ],
        });
      expect(original.status).toBe(201);

      const saved = await api()
        .post(`/api/plans/${original.body.id}/template`)
        .send({
          name: 'resource-files',
          params: { resource: 'invoice' },
          descriptions: { resource: 'the resource, singular' },
        });
      expect(saved.status).toBe(201);
      expect(saved.body).toMatchObject({
        name: 'resource-files',
        version: 1,
        source: { kind: 'plan', planId: original.body.id, planRevision: 1 },
      });
      expect(saved.body.parameters).toEqual([
        { name: 'resource', description: 'the resource, singular', required: true, example: 'invoice' },
        { name: 'base', description: '', required: true },
      ]);
      expect(saved.body.document.tasks[0].description).toBe(
        'write src/{{resource}}/model.txt {{resource}} model',
      );
      // Saving the same plan again adds nothing; a stale version is refused.
      const again = await api()
        .post(`/api/plans/${original.body.id}/template`)
        .send({
          name: 'resource-files',
          params: { resource: 'invoice' },
          descriptions: { resource: 'the resource, singular' },
        });
      expect(again.body.version).toBe(1);
      const stale = await api()
        .post(`/api/plans/${original.body.id}/template`)
        .send({
          name: 'resource-files',
          title: 'Other',
          params: { resource: 'invoice' },
          expectedVersion: 0,
        });
      expect(stale.status).toBe(409);
      expect(
        (
          await api()
            .post(`/api/plans/${original.body.id}/template`)
            .send({ name: 'resource-files', params: { nothing: 'not in the plan' } })
        ).status,
      ).toBe(400);
      expect((await api().post('/api/plans/p_doesnotexist/template').send({ name: 'x-y' })).status).toBe(404);

      const created = await api()
        .post('/api/templates/resource-files/plans')
        .send({ params: { resource: 'order', base: '/api/v2' } });
      expect(created.status).toBe(201);
      const planId: string = created.body.id;
      const plan = (await api().get(`/api/plans/${planId}`)).body;
      expect(plan.title).toBe('Add the order resource');
      expect(plan.repository).toBe(repository);

      expect((await api().post(`/api/plans/${planId}/finalize`).send({})).status).toBe(200);
      const started = await api().post(`/api/plans/${planId}/execute`).send({});
      expect(started.status).toBe(202);

      const deadline = Date.now() + 90_000;
      let detail = (await api().get(`/api/plans/${planId}`)).body;
      while (!['completed', 'failed', 'paused'].includes(detail.status) && Date.now() < deadline) {
        await sleep(200);
        detail = (await api().get(`/api/plans/${planId}`)).body;
      }
      expect(detail.status).toBe('completed');

      const branch = `chunkwise/${planId}/${started.body.sessionId}`;
      expect(git(repo, 'log', '--reverse', '--format=%s', `main..${branch}`).split('\n')).toEqual([
        'T1: Model of order',
        'T2: Routes of order under /api/v2',
      ]);
      expect(git(repo, 'show', `${branch}:src/order/model.txt`)).toBe('order model');
      expect(git(repo, 'show', `${branch}:src/order/routes.txt`)).toBe('/api/v2/order');
      // The agent was prompted with the rendered texts.
      expect(readFileSync(join(agentLog, 'T2-1.prompt.md'), 'utf8')).toContain(
        'Routes of order under /api/v2',
      );
    });
  });
});
