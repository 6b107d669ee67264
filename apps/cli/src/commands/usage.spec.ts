import { emptyTotals } from '@chunkwise/domain';
import { run } from '../program';
import { fakeApi, memoryIo } from '../../../../test/support/cli-fakes';

const exec = async (args: string[]) => {
  const io = memoryIo();
  const code = await run(['node', 'chunkwise', ...args], { io, env: {} });
  return { code, stdout: io.stdout(), stderr: io.stderr() };
};

const budget = (usd: number | null) => ({
  planId: 'p1',
  limits: { plan: { usd, tokens: null }, session: { usd: null, tokens: 5000 } },
  spent: { plan: { usd: 0.2, tokens: 3300 }, session: { usd: 0.1, tokens: 1100 } },
  remaining: {
    plan: { usd: usd === null ? null : usd - 0.2, tokens: null },
    session: { usd: null, tokens: 3900 },
  },
  sessionId: 's_1',
});

describe('usage, budget, stats and estimate commands', () => {
  it('usage asks for the plan per task and prints a table with totals and what is unknown', async () => {
    const api = await fakeApi(() => ({
      status: 200,
      body: {
        by: 'task',
        filter: { plan: 'p1' },
        priceTableDate: '2026-10-07',
        totals: {
          ...emptyTotals(),
          turns: 3,
          unreported: 1,
          inputTokens: 3000,
          outputTokens: 300,
          tokens: 3300,
          costUsd: 0.2,
        },
        rows: [
          {
            key: 'T1',
            planId: 'p1',
            ...emptyTotals(),
            turns: 2,
            inputTokens: 3000,
            outputTokens: 300,
            tokens: 3300,
            costUsd: 0.2,
          },
          { key: 'T2', planId: 'p1', ...emptyTotals(), turns: 1, unreported: 1 },
        ],
      },
    }));
    try {
      const r = await exec(['usage', '--plan', 'p1', '--api', api.url]);
      expect(r.code).toBe(0);
      expect(api.requests[0].url).toBe('/api/usage?plan=p1&by=task');
      const lines = r.stdout.split('\n');
      expect(lines[0]).toMatch(
        /^task\s+calls\s+turns\s+unreported\s+input\s+output\s+cache r\/w\s+cost\s+time$/,
      );
      expect(lines[1]).toMatch(/^T1\s+0\s+2\s+0\s+3,000\s+300\s+0\/0\s+\$0\.2000/);
      expect(r.stdout).toMatch(/\ntotal\s+0\s+3\s+1\s+3,000/);
      expect(r.stdout).toContain('price table of 2026-10-07');
      expect(r.stdout).toContain('1 turns reported no usage: unknown, not counted as zero');
      expect((await exec(['usage', '--by', 'week', '--api', api.url])).code).toBe(2);
    } finally {
      await api.close();
    }
  });

  it('budget shows the budget, or sets it (none removes a limit) and says how to go on', async () => {
    const api = await fakeApi((req) =>
      req.method === 'PUT'
        ? { status: 200, body: { id: 'p1', revision: 4, budget: budget(1) } }
        : { status: 200, body: budget(0.25) },
    );
    try {
      const shown = await exec(['budget', 'p1', '--api', api.url]);
      expect(shown.stdout).toContain(
        'plan budget:    $0.2500; spent $0.2000, 3,300 tokens; remaining $0.0500',
      );
      expect(shown.stdout).toContain(
        'session budget: 5,000 tokens; spent $0.1000, 1,100 tokens (session s_1); remaining 3,900 tokens',
      );
      const set = await exec([
        'budget',
        'p1',
        '--usd',
        '1',
        '--tokens',
        'none',
        '--session-usd',
        '0.5',
        '--api',
        api.url,
      ]);
      expect(set.code).toBe(0);
      const put = api.requests.find((q) => q.method === 'PUT')!;
      expect(put.url).toBe('/api/plans/p1/budget');
      expect(JSON.parse(put.body)).toEqual({ usd: 1, tokens: null, session: { usd: 0.5 } });
      expect(set.stdout).toContain('budget set (revision 4)');
      expect(set.stdout).toContain('chunkwise resume p1');
      const bad = await exec(['budget', 'p1', '--usd', '-3', '--api', api.url]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/expected a positive number, or none/);
    } finally {
      await api.close();
    }
  });

  it('stats and estimate print their figures; an estimate without history says so', async () => {
    const stats = {
      tasks: 4,
      completed: 3,
      duration: { 'sequential/task': { tasks: 3, medianMs: 65_000, p90Ms: 180_000 } },
      attemptsPerTask: 1.5,
      retryRate: 0.25,
      failureRate: 0.25,
      qaGates: { test: { runs: 6, failed: 3, failureRate: 0.5 } },
      costPerTask: 0.1,
      costPerCompletedTask: 0.1333,
      unreportedCostTasks: 0,
      pausedMs: 90_000,
      pausedByReason: { task_failed: 90_000 },
    };
    let history = false;
    const api = await fakeApi((req) =>
      req.url.startsWith('/api/stats')
        ? { status: 200, body: { overall: stats, repositories: [{ repository: '/src/shop', stats }] } }
        : {
            status: 200,
            body: history
              ? {
                  planId: 'p1',
                  history: true,
                  basedOn: 7,
                  tasks: 2,
                  durationMs: { low: 60_000, expected: 120_000, high: 240_000 },
                  costUsd: { low: 0.1, expected: 0.2, high: 0.5 },
                  perTask: [],
                }
              : {
                  planId: 'p1',
                  history: false,
                  basedOn: 0,
                  tasks: 2,
                  durationMs: null,
                  costUsd: null,
                  perTask: [],
                },
          },
    );
    try {
      const s = await exec(['stats', '--api', api.url]);
      expect(s.stdout).toContain('overall: 4 tasks run, 3 completed');
      expect(s.stdout).toContain('attempts per task 1.50; retried 25%; failed 25%');
      expect(s.stdout).toContain('cost per task $0.1000; per completed task $0.1333');
      expect(s.stdout).toContain('paused waiting for a person 1 min 30 s (task_failed 1 min 30 s)');
      expect(s.stdout).toMatch(/sequential\/task\s+3\s+1 min 05 s\s+3 min 00 s/);
      expect(s.stdout).toMatch(/test\s+6\s+50%/);
      expect(s.stdout).toContain('/src/shop: 4 tasks run');
      expect((await exec(['estimate', 'p1', '--api', api.url])).stdout).toContain(
        'plan p1: no history yet to estimate 2 tasks from',
      );
      history = true;
      const e = await exec(['estimate', 'p1', '--api', api.url]);
      expect(e.stdout).toContain('plan p1: 2 open tasks, estimated from 7 past tasks');
      expect(e.stdout).toContain(
        'work time 2 min 00 s (1 min 00 s – 4 min 00 s); cost $0.2000 ($0.1000 – $0.5000)',
      );
    } finally {
      await api.close();
    }
  });
});
