import {
  estimatePlan,
  executionFacts,
  executionStats,
  percentile,
  similarityKey,
  type PlanHistoryInput,
} from './execution-stats';

/** A small seeded generator (mulberry32), so the generated history is the same on every run. */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Truth {
  mode: string;
  key: string;
  workMs: number;
  costUsd: number;
  turns: number;
  outcome: 'completed' | 'failed';
}

/**
 * Generates plans and the events of one session each (task scope), recording beside them, task by
 * task, what the figures must be: the test's own bookkeeping, not a second reading of the events.
 */
function generate(plans: number, seed: number) {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const inputs: PlanHistoryInput[] = [];
  const truth: Truth[] = [];
  const gates: Record<string, { runs: number; failed: number }> = {};
  const paused: Record<string, number> = {};
  let clock = Date.parse('2026-11-01T00:00:00Z');
  for (let p = 0; p < plans; p++) {
    const planId = `p${p}`;
    const mode = pick(['sequential', 'parallel'] as const);
    const tasks = Array.from({ length: 2 + Math.floor(rand() * 4) }, (_, i) => ({
      id: `T${i + 1}`,
      chunk: 'C01',
      title: `t${i}`,
      description: 'x'.repeat(pick([50, 300, 1500])),
      acceptance: Array.from({ length: pick([0, 1, 4]) }, (_, k) => `a${k}`),
      dependsOn: [],
      canRunInParallel: mode === 'parallel',
      status: 'pending' as const,
      attempts: 0,
      lastError: null,
      commitSha: null,
      labels: [],
      optional: false,
      cancelled: false,
    }));
    const events: Array<{ type: string; data: unknown; recordedAt: string }> = [];
    const at = (ms: number) => new Date((clock += ms)).toISOString();
    const s = `s${p}`;
    events.push({
      type: 'ExecutionStarted',
      recordedAt: at(1),
      data: { sessionId: s, options: { turnScope: 'task' } },
    });
    let turn = 0;
    for (const t of tasks) {
      const attempts = 1 + Math.floor(rand() * 3);
      const fails = rand() < 0.15;
      let workMs = 0;
      let costUsd = 0;
      for (let a = 1; a <= attempts; a++) {
        const turnId = `${s}-${++turn}`;
        const ms = 1000 + Math.floor(rand() * 60_000);
        const usd = Math.round(rand() * 1e4) / 1e5;
        workMs += ms;
        costUsd += usd;
        events.push({
          type: 'TurnStarted',
          recordedAt: at(5),
          data: { sessionId: s, turnId, chunk: 'C01', taskId: t.id, attempt: a },
        });
        events.push({
          type: 'TurnCompleted',
          recordedAt: at(ms),
          data: {
            sessionId: s,
            turnId,
            taskId: t.id,
            durationMs: ms,
            usage: {
              inputTokens: 1,
              outputTokens: 1,
              cacheReadTokens: 0,
              cacheCreationTokens: 0,
              costUsd: usd,
            },
          },
        });
        const gate = pick(['lint', 'test']);
        const last = a === attempts;
        const passed = last && !fails;
        const gateMs = 100 + Math.floor(rand() * 900);
        workMs += gateMs;
        gates[gate] = {
          runs: (gates[gate]?.runs ?? 0) + 1,
          failed: (gates[gate]?.failed ?? 0) + (passed ? 0 : 1),
        };
        events.push({
          type: 'QaGateResult',
          recordedAt: at(gateMs),
          data: { sessionId: s, turnId, taskId: t.id, gate, passed, durationMs: gateMs },
        });
        if (passed)
          events.push({
            type: 'TaskCompleted',
            recordedAt: at(1),
            data: { sessionId: s, taskId: t.id, attempts: a },
          });
        else
          events.push({
            type: 'TaskFailed',
            recordedAt: at(1),
            data: { sessionId: s, taskId: t.id, attempts: a, final: last },
          });
      }
      if (fails) {
        const wait = 60_000 + Math.floor(rand() * 600_000);
        paused.task_failed = (paused.task_failed ?? 0) + wait;
        events.push({
          type: 'ExecutionPaused',
          recordedAt: at(1),
          data: { sessionId: s, reason: 'task_failed' },
        });
        events.push({ type: 'TaskSkipped', recordedAt: at(wait - 1), data: { sessionId: s, taskId: t.id } });
        events.push({ type: 'ExecutionResumed', recordedAt: at(1), data: { sessionId: s } });
      }
      truth.push({
        mode,
        key: similarityKey(mode, t.description.length, t.acceptance.length),
        workMs,
        costUsd,
        turns: attempts,
        outcome: fails ? 'failed' : 'completed',
      });
    }
    events.push({ type: 'ExecutionCompleted', recordedAt: at(1), data: { sessionId: s } });
    inputs.push({
      planId,
      repository: `repo${p % 2}`,
      content: {
        chunks: [{ key: 'C01', title: 'c', description: '', executionMode: mode, pauseAfter: false }],
        tasks,
      },
      events,
    });
  }
  return { inputs, truth, gates, paused };
}

const near = (a: number | null, b: number) => expect(a).toBeCloseTo(b, 6);

describe('execution stats over a generated history', () => {
  const { inputs, truth, gates, paused } = generate(40, 17);
  const facts = inputs.map(executionFacts);
  const stats = executionStats(facts);

  it('counts tasks, attempts, retries and failures as generated', () => {
    expect(stats.tasks).toBe(truth.length);
    expect(stats.completed).toBe(truth.filter((t) => t.outcome === 'completed').length);
    near(stats.attemptsPerTask, truth.reduce((s, t) => s + t.turns, 0) / truth.length);
    near(stats.retryRate, truth.filter((t) => t.turns > 1).length / truth.length);
    near(stats.failureRate, truth.filter((t) => t.outcome === 'failed').length / truth.length);
  });

  it('gives duration median and p90 per chunk mode and turn scope, and QA gate failure rates', () => {
    for (const mode of ['sequential', 'parallel']) {
      const ms = truth.filter((t) => t.mode === mode && t.outcome === 'completed').map((t) => t.workMs);
      // Independent percentiles: nearest ranks by sorting here.
      const sorted = [...ms].sort((a, b) => a - b);
      const interp = (p: number) => {
        const r = (p / 100) * (sorted.length - 1);
        return sorted[Math.floor(r)] + (sorted[Math.ceil(r)] - sorted[Math.floor(r)]) * (r - Math.floor(r));
      };
      expect(stats.duration[`${mode}/task`]).toEqual({
        tasks: ms.length,
        medianMs: interp(50),
        p90Ms: interp(90),
      });
    }
    for (const [gate, g] of Object.entries(gates)) {
      expect(stats.qaGates[gate]).toEqual({ runs: g.runs, failed: g.failed, failureRate: g.failed / g.runs });
    }
  });

  it('gives cost per task and per completed task, and time paused waiting for a person', () => {
    const cost = truth.reduce((s, t) => s + t.costUsd, 0);
    near(stats.costPerTask, cost / truth.length);
    near(stats.costPerCompletedTask, cost / truth.filter((t) => t.outcome === 'completed').length);
    expect(stats.unreportedCostTasks).toBe(0);
    expect(stats.pausedMs).toBe(paused.task_failed);
    expect(stats.pausedByReason).toEqual(paused);
  });

  it('estimates a plan from similar completed tasks, with a range and how many it rests on', () => {
    const plan = inputs[0].content;
    const est = estimatePlan(
      plan,
      facts.flatMap((f) => f.tasks),
    );
    expect(est.history).toBe(true);
    expect(est.tasks).toBe(plan.tasks.length);
    let expected = 0;
    let cost = 0;
    const used = new Set<Truth>();
    for (const t of plan.tasks) {
      const mode = plan.chunks[0].executionMode;
      const pool = truth.filter(
        (x) =>
          x.outcome === 'completed' &&
          x.key === similarityKey(mode, t.description.length, t.acceptance.length),
      );
      const fallback = pool.length ? pool : truth.filter((x) => x.outcome === 'completed' && x.mode === mode);
      fallback.forEach((x) => used.add(x));
      expected += percentile(
        fallback.map((x) => x.workMs),
        50,
      )!;
      cost += percentile(
        fallback.map((x) => x.costUsd),
        50,
      )!;
    }
    expect(est.durationMs!.expected).toBe(Math.round(expected));
    near(est.costUsd!.expected, Math.round(cost * 1e6) / 1e6);
    expect(est.durationMs!.low).toBeLessThanOrEqual(est.durationMs!.expected);
    expect(est.durationMs!.high).toBeGreaterThanOrEqual(est.durationMs!.expected);
    expect(est.basedOn).toBe(used.size);
  });

  it('says "no history" when there is none', () => {
    expect(estimatePlan(inputs[0].content, [])).toMatchObject({
      history: false,
      basedOn: 0,
      durationMs: null,
      costUsd: null,
    });
  });

  it('percentile interpolates between ranks', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([3, 1, 2], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 90)).toBeCloseTo(3.7, 9);
  });
});
