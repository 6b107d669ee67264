/**
 * The usage ledger and budgets end to end: the real Temporal dev server, real workers, real git
 * repositories, and the scripted agent reporting its usage (a stdout line or $CHUNKWISE_USAGE_FILE).
 */
import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import {
  executionFacts,
  executionStats,
  fold,
  ledgerEntries,
  sumLedger,
  type TurnUsage,
} from '@chunkwise/domain';
import { makeRepo, SessionHarness } from './support/session-harness';
import { withTemporalCli } from './support/temporal-cli';

jest.setTimeout(240_000);
Runtime.install({ logger: new DefaultLogger('WARN') });

const history = (events: Array<{ type: string; data: unknown; recordedAt: Date | string }>) =>
  events.map((e) => ({ type: e.type, data: e.data, recordedAt: new Date(e.recordedAt).toISOString() }));

withTemporalCli('test/cost.e2e.ts', ({ path: binary }) => {
  describe('usage ledger and budgets on Temporal', () => {
    const h = new SessionHarness({ prefix: 'cw-cost-' });
    beforeAll(() => h.start(binary));
    afterAll(() => h.stop());

    test('the ledger sums per task, chunk and session equal the turns recorded, retries included; unknown stays unknown', async () => {
      const repo = makeRepo(h.root);
      const planId = await h.finalizedPlan({
        title: 'Ledger',
        repository: repo,
        execution: { agent: h.agent(), maxAttempts: 2 },
        chunks: [
          { key: 'C01_a', title: 'A' },
          { key: 'C02_b', title: 'B' },
        ],
        tasks: [
          // attempt 1 reports, then fails; attempt 2 reports and succeeds: both count
          {
            id: 'T1',
            chunk: 'C01_a',
            title: 'retried',
            description: 'usage 1000 200 0.05\nfail 1\nwrite a.txt a',
          },
          {
            id: 'T2',
            chunk: 'C01_a',
            title: 'by file',
            description: 'usage 300 40 0.02 file\nwrite b.txt b',
          },
          { id: 'T3', chunk: 'C02_b', title: 'silent', description: 'write c.txt c' },
        ],
      });
      await h.sessions.execute(planId, { from: 'beginning' });
      const outcome = await h.sessions.result(planId);
      expect(outcome.status).toBe('completed');

      const events = await h.events(planId);
      const completed = events.filter((e) => e.type === 'TurnCompleted');
      expect(completed).toHaveLength(4);
      const usageOf = (taskId: string) =>
        completed
          .filter((e) => (e.data as { taskId: string }).taskId === taskId)
          .map((e) => (e.data as { usage: TurnUsage | null }).usage);
      expect(usageOf('T1')).toEqual([
        expect.objectContaining({
          inputTokens: 1000,
          outputTokens: 200,
          costUsd: 0.05,
          model: 'scripted-agent',
        }),
        expect.objectContaining({ inputTokens: 1000, outputTokens: 200, costUsd: 0.05 }),
      ]);
      expect(usageOf('T2')).toEqual([
        expect.objectContaining({ inputTokens: 300, outputTokens: 40, costUsd: 0.02 }),
      ]);
      expect(usageOf('T3')).toEqual([null]);

      const entries = ledgerEntries({ planId, repository: repo }, history(events));
      const byTask = Object.fromEntries(sumLedger(entries, 'task').map((r) => [r.key, r]));
      expect(byTask.T1).toMatchObject({
        turns: 2,
        inputTokens: 2000,
        outputTokens: 400,
        costUsd: 0.1,
        unreported: 0,
      });
      expect(byTask.T2).toMatchObject({ turns: 1, inputTokens: 300, outputTokens: 40, costUsd: 0.02 });
      expect(byTask.T3).toMatchObject({ turns: 1, unreported: 1, tokens: 0, costUsd: 0 });
      const byChunk = Object.fromEntries(sumLedger(entries, 'chunk').map((r) => [r.key, r]));
      expect(byChunk.C01_a).toMatchObject({ turns: 3, costUsd: 0.12, tokens: 2740 });
      expect(byChunk.C02_b).toMatchObject({ turns: 1, unreported: 1 });
      const bySession = sumLedger(entries, 'session');
      expect(bySession).toEqual([
        expect.objectContaining({ key: outcome.state.sessionId, turns: 4, costUsd: 0.12, tokens: 2740 }),
      ]);
      // The workflow's own count and the plan's fold agree with the ledger.
      expect(outcome.state.spent).toEqual({ usd: 0.12, tokens: 2740 });
      expect(fold(events).turnSpend).toEqual({ usd: 0.12, tokens: 2740 });

      // The stats of this real session: 4 turns over 3 tasks, T1 retried, none failed for good;
      // T3's cost unknown, so cost per task is over T1 and T2.
      const plan = fold(events);
      const stats = executionStats([
        executionFacts({ planId, repository: repo, content: plan.content, events: history(events) }),
      ]);
      expect(stats).toMatchObject({
        tasks: 3,
        completed: 3,
        retryRate: 1 / 3,
        failureRate: 0,
        unreportedCostTasks: 1,
      });
      expect(stats.attemptsPerTask).toBeCloseTo(4 / 3, 9);
      expect(stats.costPerTask).toBeCloseTo(0.12 / 2, 9);
      expect(stats.costPerCompletedTask).toBeCloseTo(0.12 / 3, 9);
      expect(stats.duration['sequential/task'].tasks).toBe(3);
    });

    test('a budget crossed mid-chunk pauses before the next turn; raised and resumed, the session completes with no task lost or repeated', async () => {
      const root = join(h.root, 'budget');
      mkdirSync(root);
      const repo = makeRepo(root);
      const tasks = ['T1', 'T2', 'T3', 'T4'].map((id) => ({
        id,
        chunk: 'C01_all',
        title: id,
        description: `usage 100 10 0.1\nwrite ${id}.txt ${id}`,
      }));
      const planId = await h.finalizedPlan({
        title: 'Budget',
        repository: repo,
        execution: { agent: h.agent() },
        chunks: [{ key: 'C01_all', title: 'All' }],
        tasks,
      });
      // $0.25: T1 (nothing known yet) and T2 ($0.1 spent + $0.1 expected) fit; T3 would reach $0.3.
      await h.plans.execute(planId, { type: 'SetPlanBudget', change: { usd: 0.25 } });
      await h.sessions.execute(planId, { from: 'beginning' });
      const paused = await h.waitFor(planId, (p) => p.status === 'paused');
      expect(paused.pauseReason).toBe('budget_exceeded');
      expect(paused.pauseDetail).toMatch(
        /plan budget of \$0\.2500 would be crossed: spent \$0\.2000, remaining \$0\.0500; next: task T3/,
      );

      let events = await h.events(planId);
      const started = () =>
        events.filter((e) => e.type === 'TurnStarted').map((e) => (e.data as { taskId: string }).taskId);
      expect(started()).toEqual(['T1', 'T2']);
      const pausedEvent = events.find((e) => e.type === 'ExecutionPaused')!;
      expect(pausedEvent.data).toMatchObject({ reason: 'budget_exceeded', next: 'C01_all' });
      expect(fold(events).content.tasks.map((t) => t.status)).toEqual([
        'completed',
        'completed',
        'pending',
        'pending',
      ]);

      // Resuming without raising it pauses again, before any turn.
      await h.sessions.resume(planId);
      await new Promise((r) => setTimeout(r, 1500));
      const again = await h.waitFor(planId, (p) => p.status === 'paused');
      expect(again.pauseReason).toBe('budget_exceeded');
      events = await h.events(planId);
      expect(started()).toEqual(['T1', 'T2']);

      await h.plans.execute(planId, { type: 'SetPlanBudget', change: { usd: 1 } });
      await h.sessions.resume(planId);
      const outcome = await h.sessions.result(planId);
      expect(outcome.status).toBe('completed');
      events = await h.events(planId);
      expect(started()).toEqual(['T1', 'T2', 'T3', 'T4']);
      const done = events
        .filter((e) => e.type === 'TaskCompleted')
        .map((e) => (e.data as { taskId: string }).taskId);
      expect(done).toEqual(['T1', 'T2', 'T3', 'T4']);
      expect(outcome.state.spent).toEqual({ usd: 0.4, tokens: 440 });
      expect(fold(events).content.tasks.every((t) => t.status === 'completed')).toBe(true);
    });

    test('in a parallel chunk the budget pauses once, after the turns in flight end; raised, the rest run', async () => {
      const root = join(h.root, 'parallel');
      mkdirSync(root);
      const repo = makeRepo(root);
      const tasks = ['P1', 'P2', 'P3', 'P4'].map((id) => ({
        id,
        chunk: 'C01_par',
        title: id,
        description: `usage 100 10 0.1\nsleep 300\nwrite ${id}.txt ${id}`,
        canRunInParallel: true,
      }));
      const planId = await h.finalizedPlan({
        title: 'Parallel budget',
        repository: repo,
        execution: { agent: h.agent(), maxParallel: 2 },
        chunks: [{ key: 'C01_par', title: 'Parallel', executionMode: 'parallel' }],
        tasks,
      });
      await h.plans.execute(planId, { type: 'SetPlanBudget', change: { session: { usd: 0.25 } } });
      await h.sessions.execute(planId, { from: 'beginning' });
      const paused = await h.waitFor(planId, (p) => p.status === 'paused');
      expect(paused.pauseReason).toBe('budget_exceeded');
      expect(paused.pauseDetail).toMatch(/^session budget of \$0\.2500 would be crossed: spent \$0\.2000/);
      let events = await h.events(planId);
      const count = (type: string) => events.filter((e) => e.type === type).length;
      expect(count('TurnStarted')).toBe(2);
      expect(count('ExecutionPaused')).toBe(1);

      await h.plans.execute(planId, { type: 'SetPlanBudget', change: { session: { usd: null } } });
      await h.sessions.resume(planId);
      expect((await h.sessions.result(planId)).status).toBe('completed');
      events = await h.events(planId);
      expect(count('TurnStarted')).toBe(4);
      expect(count('TaskCompleted')).toBe(4);
      expect(count('ExecutionPaused')).toBe(1);
    });
  });
});
