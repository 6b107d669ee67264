/**
 * Usage, budgets, stats and estimates over HTTP: the real application (SQLite in a temp dir), the real
 * Anthropic SDK and the local Messages API server for the planning calls a budget refuses or allows.
 */
import 'reflect-metadata';
import * as path from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadConfig } from '@chunkwise/config';
import request from 'supertest';
import { createApp } from '../apps/api/src/app.factory';
import { FakeAnthropic, type FakeReply } from './support/fake-anthropic';
import { makeTempDir } from './support/temp-dir';

jest.setTimeout(60_000);

const plan = {
  title: 'Auth',
  description: 'Login',
  chunks: [{ key: 'models', title: 'Models', description: 'data', executionMode: 'sequential' }],
  tasks: [
    {
      id: 'T1',
      chunk: 'models',
      title: 'User model',
      description: 'users table',
      acceptance: ['migrates'],
      dependsOn: [],
      canRunInParallel: false,
    },
  ],
};
const tool = (name: string, input: unknown): FakeReply => ({
  content: [{ type: 'tool_use', name, input }],
  stopReason: 'tool_use',
  usage: { input_tokens: 1000, output_tokens: 200 },
});

describe('usage, budgets, stats and estimates over HTTP', () => {
  let fake: FakeAnthropic;
  let app: NestExpressApplication;
  let http: ReturnType<NestExpressApplication['getHttpServer']>;
  let dir: ReturnType<typeof makeTempDir>;
  let id: string;
  let callCost: number;

  beforeAll(async () => {
    fake = await FakeAnthropic.start();
    dir = makeTempDir('chunkwise-cost-api-');
    const config = loadConfig({
      CHUNKWISE_DATA_DIR: path.join(dir.path, 'data'),
      ANTHROPIC_BASE_URL: fake.url,
      CHUNKWISE_LOG_LEVEL: 'error',
    });
    app = await createApp(config, { logger: false });
    http = app.getHttpServer();
    fake.enqueue(tool('submit_plan', plan));
    id = (
      await request(http)
        .post('/api/plans/generate')
        .send({ title: 'Auth', description: 'Add login' })
        .expect(201)
    ).body.id;
    const history = (await request(http).get(`/api/plans/${id}/history`).expect(200)).body.entries;
    callCost = history.find((e: { type: string }) => e.type === 'LlmCallRecorded').data.costUsd;
  });
  afterAll(async () => {
    await app?.close();
    await fake?.close();
    dir?.remove();
  });

  it('serves the ledger filtered and grouped, with the price table date', async () => {
    const byPlan = (await request(http).get('/api/usage').expect(200)).body;
    expect(byPlan.priceTableDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(byPlan.rows).toEqual([
      expect.objectContaining({ key: id, calls: 1, inputTokens: 1000, outputTokens: 200, costUsd: callCost }),
    ]);
    const byDay = (await request(http).get(`/api/usage?plan=${id}&by=day`).expect(200)).body;
    expect(byDay.rows).toHaveLength(1);
    expect(byDay.totals).toMatchObject({ calls: 1, turns: 0, tokens: 1200 });
    const bad = (await request(http).get('/api/usage?by=week').expect(400)).body;
    expect(bad.message).toMatch(/by/);
    await request(http).get('/api/usage?plan=nope').expect(404);
  });

  it('sets a budget through the write path: validated, revision-checked, shown with what is spent and remains', async () => {
    for (const body of [{}, { usd: -1 }, { usd: 1, extra: true }, { tokens: 1.5 }]) {
      const res = await request(http).put(`/api/plans/${id}/budget`).send(body).expect(400);
      expect(res.body.statusCode).toBe(400);
    }
    await request(http).put(`/api/plans/${id}/budget`).set('If-Match', '"99"').send({ usd: 1 }).expect(409);
    const set = (
      await request(http)
        .put(`/api/plans/${id}/budget`)
        .send({ usd: callCost * 2.5, session: { tokens: 5000 } })
        .expect(200)
    ).body;
    expect(set.budget).toMatchObject({
      limits: { plan: { usd: callCost * 2.5, tokens: null }, session: { usd: null, tokens: 5000 } },
      spent: { plan: { usd: callCost, tokens: 1200 }, session: null },
    });
    expect(set.budget.remaining.plan.usd).toBeCloseTo(callCost * 1.5, 6);
    const history = (await request(http).get(`/api/plans/${id}/history`).expect(200)).body.entries;
    expect(history.at(-1)).toMatchObject({
      type: 'PlanBudgetSet',
      data: { budget: { plan: { usd: callCost * 2.5 }, session: { tokens: 5000 } } },
    });
    expect((await request(http).get(`/api/plans/${id}/budget`).expect(200)).body).toEqual(set.budget);
  });

  it('refuses a multi-draft refine that would cross the budget (409 budget_exceeded, no model call), allows a quick edit', async () => {
    fake.requests.length = 0;
    const refused = (
      await request(http)
        .post(`/api/plans/${id}/refine`)
        .send({ feedback: 'more tests', mode: 'multi', drafts: 3 })
        .expect(409)
    ).body;
    expect(refused.code).toBe('budget_exceeded');
    expect(refused.message).toMatch(
      /plan budget .* would be crossed: spent .*; next: 4 planning calls.*quick edit/,
    );
    expect(refused.budget).toMatchObject({ scope: 'plan', unit: 'usd', spent: callCost });
    expect(refused.budget.next).toBeCloseTo(callCost * 4, 6);
    expect(fake.requests).toHaveLength(0);

    fake.enqueue(tool('submit_revision', { ...plan, summary: 'clearer' }));
    await request(http)
      .post(`/api/plans/${id}/refine`)
      .send({ feedback: 'clearer', mode: 'single' })
      .expect(200);
    expect(fake.requests).toHaveLength(1);
  });

  it('serves stats and an estimate that says there is no history yet', async () => {
    const stats = (await request(http).get('/api/stats').expect(200)).body;
    expect(stats.overall).toMatchObject({ tasks: 0, completed: 0, retryRate: null, pausedMs: 0 });
    const estimate = (await request(http).get(`/api/plans/${id}/estimate`).expect(200)).body;
    expect(estimate).toMatchObject({
      planId: id,
      history: false,
      basedOn: 0,
      tasks: 1,
      durationMs: null,
      costUsd: null,
    });
    await request(http).get('/api/plans/nope/estimate').expect(404);
  });
});
