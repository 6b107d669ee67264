/**
 * Planning with Claude, end to end over HTTP: the real application (SQLite in a temp dir), the real
 * Anthropic SDK, and a local server speaking the Messages API that replays scripted answers.
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadConfig } from '@chunkwise/config';
import { DEFAULT_LLM_MODEL } from '@chunkwise/llm';
import request from 'supertest';
import { createApp } from '../apps/api/src/app.factory';
import { FakeAnthropic, type FakeReply, type FakeRequest } from './support/fake-anthropic';
import { makeTempDir } from './support/temp-dir';

jest.setTimeout(60_000);

const plan = (extra: { tasks?: unknown[]; chunks?: unknown[] } = {}) => ({
  title: 'Auth',
  description: 'Login and sessions',
  chunks: extra.chunks ?? [
    { key: 'models', title: 'Models', description: 'data', executionMode: 'sequential' },
    { key: 'api', title: 'API', description: 'routes', executionMode: 'sequential' },
  ],
  tasks: extra.tasks ?? [
    {
      id: 'T1',
      chunk: 'models',
      title: 'User model',
      description: 'users table',
      acceptance: ['migrates'],
      dependsOn: [],
      canRunInParallel: false,
    },
    {
      id: 'T2',
      chunk: 'models',
      title: 'Session model',
      description: 'sessions table',
      acceptance: ['migrates'],
      dependsOn: ['T1'],
      canRunInParallel: false,
    },
    {
      id: 'T3',
      chunk: 'api',
      title: 'Login route',
      description: 'POST /login',
      acceptance: ['returns a token'],
      dependsOn: ['T2'],
      canRunInParallel: false,
    },
  ],
});

const tool = (
  name: string,
  input: unknown,
  usage = { input_tokens: 1000, output_tokens: 200 },
): FakeReply => ({
  content: [{ type: 'tool_use', name, input }],
  stopReason: 'tool_use',
  usage,
});

const toolOf = (r: FakeRequest): string => r.body.tools?.[0]?.name;
const lastUserText = (r: FakeRequest): string => JSON.stringify(r.body.messages[r.body.messages.length - 1]);
const systemText = (r: FakeRequest): string => JSON.stringify(r.body.system);

describe('planning with Claude (API + real SDK + local Messages API)', () => {
  let fake: FakeAnthropic;
  let app: NestExpressApplication;
  let http: ReturnType<NestExpressApplication['getHttpServer']>;
  let dir: ReturnType<typeof makeTempDir>;
  let repo: string;

  beforeAll(async () => {
    fake = await FakeAnthropic.start();
    dir = makeTempDir('chunkwise-planning-e2e-');
    repo = path.join(dir.path, 'repo');
    fs.mkdirSync(path.join(repo, 'src'), { recursive: true });
    fs.writeFileSync(path.join(repo, 'README.md'), '# Shop\nA tiny shop with REPO_README_MARKER.\n');
    fs.writeFileSync(path.join(repo, 'package.json'), '{"name":"shop","scripts":{"test":"jest"}}\n');
    fs.writeFileSync(path.join(repo, 'src', 'server.ts'), 'export {};\n');
    execFileSync('git', ['init', '-q'], { cwd: repo });
    execFileSync('git', ['add', '.'], { cwd: repo });
    const config = loadConfig({
      CHUNKWISE_DATA_DIR: path.join(dir.path, 'data'),
      ANTHROPIC_BASE_URL: fake.url,
      CHUNKWISE_LLM_MAX_RETRIES: '3',
      CHUNKWISE_LOG_LEVEL: 'error',
    });
    app = await createApp(config, { logger: false });
    http = app.getHttpServer();
  });
  afterAll(async () => {
    await app?.close();
    await fake?.close();
    dir?.remove();
  });
  beforeEach(() => {
    fake.requests.length = 0;
    fake.respondWith(() => ({ status: 500, error: { message: 'no reply scripted for this test' } }));
  });

  async function generate(reply: unknown = plan()) {
    fake.enqueue(tool('submit_plan', reply));
    const res = await request(http)
      .post('/api/plans/generate')
      .send({ title: 'Auth', description: 'Add login', repository: repo, targetChunks: 2 })
      .expect(201);
    return res.body.id as string;
  }

  it('generates a draft plan from a description, with the repository as cached context', async () => {
    const id = await generate();
    const detail = (await request(http).get(`/api/plans/${id}`).expect(200)).body;
    expect(detail.chunks.map((c: { key: string }) => c.key)).toEqual(['C01_models', 'C02_api']);
    expect(detail.chunks[0].tasks.map((t: { id: string }) => t.id)).toEqual(['T1', 'T2']);
    expect(detail.chunks[1].tasks[0]).toMatchObject({
      id: 'T3',
      dependsOn: ['T2'],
      acceptance: ['returns a token'],
    });
    expect(detail).toMatchObject({
      status: 'draft',
      revision: 1,
      planningIterations: 1,
      lastPlanningMode: 'generate',
    });

    // The repository's tree and key files went in a prompt-cached system block.
    const sent = fake.requests[0];
    expect(toolOf(sent)).toBe('submit_plan');
    expect(systemText(sent)).toContain('REPO_README_MARKER');
    expect(systemText(sent)).toContain('src/server.ts');
    expect(sent.body.system.some((b: { cache_control?: unknown }) => b.cache_control)).toBe(true);
    expect(lastUserText(sent)).toContain('Add login');

    const history = (await request(http).get(`/api/plans/${id}/history`).expect(200)).body.entries;
    expect(history.map((e: { type: string }) => e.type)).toEqual(['PlanCreated', 'LlmCallRecorded']);
    expect(history[0].data.source).toMatchObject({
      kind: 'generate',
      model: DEFAULT_LLM_MODEL,
      request: { description: 'Add login', repository: repo, targetChunks: 2, depth: 'standard' },
    });
    expect(history[1].data).toMatchObject({
      purpose: 'generate',
      usage: { inputTokens: 1000, outputTokens: 200 },
    });
    const usage = (await request(http).get(`/api/plans/${id}/usage`).expect(200)).body;
    expect(usage).toMatchObject({ planId: id, calls: 1, inputTokens: 1000, outputTokens: 200 });
    expect(usage.costUsd).toBeGreaterThan(0);
  });

  it('repairs an invalid answer with one follow-up turn quoting the problem', async () => {
    const broken = plan();
    (broken.tasks[2] as { dependsOn: string[] }).dependsOn = ['T99'];
    fake.enqueue(tool('submit_plan', broken), tool('submit_plan', plan()));
    const res = await request(http)
      .post('/api/plans/generate')
      .send({ title: 'Auth', description: 'Add login' })
      .expect(201);
    expect(fake.requests).toHaveLength(2);
    expect(lastUserText(fake.requests[1])).toContain('T99');
    const usage = (await request(http).get(`/api/plans/${res.body.id}/usage`).expect(200)).body;
    expect(usage.calls).toBe(2);
  });

  it('fails clearly and writes nothing when the answer is invalid twice', async () => {
    const before = (await request(http).get('/api/plans').expect(200)).body.plans.length;
    fake.enqueue(tool('submit_plan', { title: 'x' }), tool('submit_plan', { title: 'still wrong' }));
    const res = await request(http)
      .post('/api/plans/generate')
      .send({ title: 'Auth', description: 'Add login' })
      .expect(502);
    expect(res.body.code).toBe('llm_invalid_output');
    expect(res.body.message).toMatch(/nothing was written/);
    expect(res.body.issues.length).toBeGreaterThan(0);
    expect((await request(http).get('/api/plans').expect(200)).body.plans.length).toBe(before);
  });

  it('retries a 429 and then succeeds', async () => {
    fake.enqueue(
      {
        status: 429,
        headers: { 'retry-after': '0' },
        error: { type: 'rate_limit_error', message: 'slow down' },
      },
      tool('submit_plan', plan()),
    );
    await request(http)
      .post('/api/plans/generate')
      .send({ title: 'Auth', description: 'Add login' })
      .expect(201);
    expect(fake.requests).toHaveLength(2);
  });

  const suggestionsFor: Record<string, unknown[]> = {
    refine_descriptions: [
      {
        id: 'a',
        kind: 'modify_task',
        reasoning: 'name the file',
        taskId: 'T1',
        before: { description: 'users table' },
        after: { description: 'users table in src/db/users.ts', acceptance: ['migrates', 'email unique'] },
      },
    ],
    add_missing: [
      {
        id: 'a',
        kind: 'add_task',
        reasoning: 'no tests',
        before: null,
        after: { task: { id: 'T4', chunk: 'C02_api', title: 'Login tests', dependsOn: ['T3'] } },
      },
      {
        id: 'b',
        kind: 'add_chunk',
        reasoning: 'docs',
        before: null,
        after: {
          chunk: { key: 'C03_docs', title: 'Docs' },
          tasks: [{ id: 'D1', chunk: 'C03_docs', title: 'API docs' }],
        },
      },
    ],
    optimize_order: [
      {
        id: 'a',
        kind: 'reorder',
        reasoning: 'sessions first',
        chunkKey: 'C01_models',
        before: ['T1', 'T2'],
        after: ['T2', 'T1'],
      },
      {
        id: 'b',
        kind: 'modify_task',
        reasoning: 'sessions do not need users first',
        taskId: 'T2',
        before: { dependsOn: ['T1'] },
        after: { dependsOn: [] },
      },
    ],
    break_down: [
      {
        id: 'a',
        kind: 'break_down_task',
        reasoning: 'too big',
        taskId: 'T3',
        before: { title: 'Login route' },
        after: {
          tasks: [
            { id: 'T3a', chunk: 'C02_api', title: 'Password check' },
            { id: 'T3b', chunk: 'C02_api', title: 'Token issue', dependsOn: ['T3a'] },
          ],
        },
      },
      {
        id: 'b',
        kind: 'remove_task',
        reasoning: 'not needed',
        taskId: 'T1',
        before: { title: 'User model' },
        after: null,
      },
    ],
  };

  it.each(Object.keys(suggestionsFor))(
    'reviews (%s) and applies the chosen suggestions as one revision',
    async (type) => {
      const id = await generate();
      fake.enqueue(tool('submit_suggestions', { suggestions: suggestionsFor[type] }));
      const review = (
        await request(http).post(`/api/plans/${id}/review`).send({ type, scope: 'all' }).expect(201)
      ).body;
      expect(lastUserText(fake.requests[1])).toContain('Review the whole plan');
      expect(review).toMatchObject({ planId: id, revision: 1, reviewType: type, scope: 'all', applied: [] });
      const ids = review.suggestions.map((s: { id: string }) => s.id);
      expect(ids[0]).toBe('s1');
      // The review itself changes nothing.
      expect((await request(http).get(`/api/plans/${id}`).expect(200)).body.revision).toBe(1);

      const chosen = type === 'break_down' ? ['s1'] : ids;
      const applied = (
        await request(http)
          .post(`/api/plans/${id}/suggestions/${review.setId}/apply`)
          .send({ ids: chosen })
          .expect(200)
      ).body;
      expect(applied.revision).toBe(2);
      const detail = (await request(http).get(`/api/plans/${id}`).expect(200)).body;
      const tasks = detail.chunks.flatMap((c: { tasks: Array<{ id: string }> }) => c.tasks);
      const byId = (t: string) => tasks.find((x: { id: string }) => x.id === t);
      switch (type) {
        case 'refine_descriptions':
          expect(byId('T1')).toMatchObject({
            description: 'users table in src/db/users.ts',
            acceptance: ['migrates', 'email unique'],
          });
          break;
        case 'add_missing':
          expect(detail.chunks.map((c: { key: string }) => c.key)).toEqual([
            'C01_models',
            'C02_api',
            'C03_docs',
          ]);
          expect(byId('T4')).toMatchObject({ chunk: 'C02_api', dependsOn: ['T3'] });
          break;
        case 'optimize_order':
          expect(detail.chunks[0].tasks.map((t: { id: string }) => t.id)).toEqual(['T2', 'T1']);
          break;
        case 'break_down':
          expect(tasks.map((t: { id: string }) => t.id)).toEqual(['T1', 'T2', 'T3a', 'T3b']);
          expect(byId('T3a').dependsOn).toEqual(['T2']);
          break;
      }
      const set = (await request(http).get(`/api/plans/${id}/suggestions/${review.setId}`).expect(200)).body;
      expect(set.applied).toEqual(chosen);
    },
  );

  it('reviews one chunk or one task when scoped', async () => {
    const id = await generate();
    fake.enqueue(
      tool('submit_suggestions', { suggestions: [] }),
      tool('submit_suggestions', { suggestions: [] }),
    );
    const chunk = (
      await request(http)
        .post(`/api/plans/${id}/review`)
        .send({ type: 'break_down', scope: 'chunk', targetId: 'C02_api' })
        .expect(201)
    ).body;
    expect(chunk).toMatchObject({ scope: 'chunk', targetId: 'C02_api', suggestions: [] });
    expect(lastUserText(fake.requests[1])).toContain('Review chunk C02_api only');
    await request(http)
      .post(`/api/plans/${id}/review`)
      .send({ type: 'refine_descriptions', scope: 'task', targetId: 'T2' })
      .expect(201);
    expect(lastUserText(fake.requests[2])).toContain('Review task T2 only');
    await request(http)
      .post(`/api/plans/${id}/review`)
      .send({ type: 'break_down', scope: 'chunk' })
      .expect(400);
  });

  it('refuses an invalid application, naming the problem', async () => {
    const id = await generate();
    fake.enqueue(
      tool('submit_suggestions', {
        suggestions: [
          {
            id: 'x',
            kind: 'modify_task',
            reasoning: 'r',
            taskId: 'T1',
            before: {},
            after: { dependsOn: ['T3'] },
          },
        ],
      }),
    );
    const review = (
      await request(http).post(`/api/plans/${id}/review`).send({ type: 'optimize_order' }).expect(201)
    ).body;
    const res = await request(http)
      .post(`/api/plans/${id}/suggestions/${review.setId}/apply`)
      .send({ ids: ['s1'] })
      .expect(400);
    expect(res.body.message).toMatch(/T1/);
    expect((await request(http).get(`/api/plans/${id}`).expect(200)).body.revision).toBe(1);
  });

  it('refuses a suggestion set made against an older revision when it no longer applies (409)', async () => {
    const id = await generate();
    fake.enqueue(tool('submit_suggestions', { suggestions: suggestionsFor.refine_descriptions }));
    const review = (
      await request(http).post(`/api/plans/${id}/review`).send({ type: 'refine_descriptions' }).expect(201)
    ).body;
    await request(http)
      .patch(`/api/plans/${id}/tasks/T1`)
      .send({ description: 'accounts table' })
      .expect(200);
    const res = await request(http)
      .post(`/api/plans/${id}/suggestions/${review.setId}/apply`)
      .send({ ids: ['s1'] })
      .expect(409);
    expect(res.body.code).toBe('stale_suggestions');
    expect(res.body.message).toMatch(/revision 1.*T1 description changed/);
  });

  it('continues planning with 3 drafts made in parallel and a judge, then a quick edit', async () => {
    const id = await generate();
    const withTask = (title: string) =>
      plan({
        tasks: [
          ...plan().tasks,
          {
            id: 'T4',
            chunk: 'api',
            title,
            description: '',
            acceptance: ['works'],
            dependsOn: ['T3'],
            canRunInParallel: false,
          },
        ],
      });
    let draft = 0;
    fake.respondWith((req) => {
      if (toolOf(req) === 'submit_revision') {
        draft += 1;
        return tool('submit_revision', { ...withTask(`Logout v${draft}`), summary: `draft ${draft}` });
      }
      if (toolOf(req) === 'submit_judgement')
        return tool('submit_judgement', {
          decision: 'pick',
          pickedDraft: 2,
          rationale: 'draft 2 is clearest',
          merged: null,
        });
      return { status: 500, error: { message: `unexpected tool ${toolOf(req)}` } };
    });
    const res = (
      await request(http)
        .post(`/api/plans/${id}/refine`)
        .send({ feedback: 'add LOGOUT_FEEDBACK', mode: 'multi' })
        .expect(200)
    ).body;
    const drafts = fake.requests.filter((r) => toolOf(r) === 'submit_revision');
    const judge = fake.requests.filter((r) => toolOf(r) === 'submit_judgement');
    expect(drafts).toHaveLength(3);
    expect(judge).toHaveLength(1);
    // Each draft got its own approach; the judge saw all three.
    expect(new Set(drafts.map(lastUserText)).size).toBe(3);
    for (const n of [1, 2, 3]) expect(lastUserText(judge[0])).toContain(`draft number=\\"${n}\\"`);
    expect(res).toMatchObject({
      revision: 2,
      mode: 'multi',
      planningIterations: 2,
      rationale: 'draft 2 is clearest',
    });

    const detail = (await request(http).get(`/api/plans/${id}`).expect(200)).body;
    const chosen = detail.chunks[1].tasks.find((t: { id: string }) => t.id === 'T4').title;
    expect(['Logout v1', 'Logout v2', 'Logout v3']).toContain(chosen);
    expect(detail).toMatchObject({ planningIterations: 2, lastPlanningMode: 'multi' });
    expect(detail.feedback).toEqual([
      { revision: 2, feedback: 'add LOGOUT_FEEDBACK', author: null, mode: 'multi' },
    ]);

    // A quick edit: one call, and the feedback already given is not repeated in its prompt.
    fake.requests.length = 0;
    fake.respondWith(() => tool('submit_revision', { ...withTask('Logout everywhere'), summary: 'renamed' }));
    const single = (
      await request(http)
        .post(`/api/plans/${id}/refine`)
        .send({ feedback: 'rename logout', mode: 'single' })
        .expect(200)
    ).body;
    expect(fake.requests).toHaveLength(1);
    expect(JSON.stringify(fake.requests[0].body)).not.toContain('LOGOUT_FEEDBACK');
    expect(lastUserText(fake.requests[0])).toContain('rename logout');
    expect(single).toMatchObject({ revision: 3, mode: 'single', planningIterations: 3, rationale: null });

    const history = (await request(http).get(`/api/plans/${id}/history`).expect(200)).body.entries;
    const refined = history.filter((e: { type: string }) => e.type === 'PlanRefined');
    expect(
      refined.map((e: { data: { mode: string; iteration: number; drafts: number } }) => [
        e.data.mode,
        e.data.iteration,
        e.data.drafts,
      ]),
    ).toEqual([
      ['multi', 2, 3],
      ['single', 3, 1],
    ]);
    const usage = (await request(http).get(`/api/plans/${id}/usage`).expect(200)).body;
    expect(usage.calls).toBe(1 + 4 + 1);
    expect(usage.byPurpose['refine-draft'].calls).toBe(3);
    expect(usage.byPurpose['refine-judge'].calls).toBe(1);

    // The diff between any two revisions.
    const diff = (await request(http).get(`/api/plans/${id}/diff?from=1&to=3`).expect(200)).body.diff;
    expect(diff.tasks.added.map((t: { id: string }) => t.id)).toEqual(['T4']);
    expect(diff.tasks.removed).toEqual([]);
    const d23 = (await request(http).get(`/api/plans/${id}/diff?from=2&to=3`).expect(200)).body.diff;
    expect(d23.tasks.changed).toEqual([
      { id: 'T4', changes: { title: { from: chosen, to: 'Logout everywhere' } } },
    ]);
    await request(http).get(`/api/plans/${id}/diff?from=1&to=9`).expect(400);
    await request(http).get(`/api/plans/${id}/diff?from=x&to=2`).expect(400);
    await request(http).get(`/api/plans/nope/diff?from=1&to=2`).expect(404);
  });

  it('answers user mistakes with 4xx', async () => {
    const id = await generate();
    await request(http).post('/api/plans/generate').send({ title: 'x' }).expect(400);
    await request(http).post(`/api/plans/${id}/review`).send({ type: 'everything' }).expect(400);
    await request(http)
      .post(`/api/plans/${id}/review`)
      .send({ type: 'break_down', scope: 'task', targetId: 'T42' })
      .expect(404);
    await request(http).post(`/api/plans/${id}/refine`).send({ feedback: '   ' }).expect(400);
    await request(http)
      .post(`/api/plans/${id}/refine`)
      .send({ feedback: 'x', expectedRevision: 7 })
      .expect(409);
    await request(http)
      .post(`/api/plans/${id}/suggestions/set_nope/apply`)
      .send({ ids: ['s1'] })
      .expect(404);
    await request(http).post('/api/plans/nope/refine').send({ feedback: 'x' }).expect(404);
    await request(http)
      .post('/api/plans/generate')
      .send({ title: 'x', description: 'y', repository: path.join(dir.path, 'missing') })
      .expect(400);
    // None of these reached the model.
    expect(fake.requests).toHaveLength(1);
    await request(http).post(`/api/plans/${id}/finalize`).send({}).expect(200);
    await request(http).post(`/api/plans/${id}/refine`).send({ feedback: 'more' }).expect(409);
  });
});

describe('planning without an LLM configured', () => {
  it('answers 503 saying how to configure it', async () => {
    const dir = makeTempDir('chunkwise-planning-nollm-');
    const app = await createApp(loadConfig({ CHUNKWISE_DATA_DIR: dir.path, CHUNKWISE_LOG_LEVEL: 'error' }), {
      logger: false,
    });
    try {
      const res = await request(app.getHttpServer())
        .post('/api/plans/generate')
        .send({ title: 'Auth', description: 'Add login' })
        .expect(503);
      expect(res.body.code).toBe('llm_unavailable');
      expect(res.body.message).toMatch(/ANTHROPIC_API_KEY/);
    } finally {
      await app.close();
      dir.remove();
    }
  });
});
