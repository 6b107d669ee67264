import { budgetCrossed, applyBudgetChange, effectiveLimits, noLimit } from './budget';
import {
  filterLedger,
  ledgerEntries,
  sumLedger,
  typicalTurnSpend,
  type LedgerSourceEvent,
} from './usage-ledger';

const at = (d: string) => `${d}T10:00:00.000Z`;
const usage = (i: number, o: number, cost: number | null) => ({
  inputTokens: i,
  outputTokens: o,
  cacheReadTokens: 10,
  cacheCreationTokens: 5,
  costUsd: cost,
  model: 'claude-sonnet-4-5',
});

const events: LedgerSourceEvent[] = [
  {
    type: 'LlmCallRecorded',
    recordedAt: at('2026-11-30'),
    data: {
      callId: 'c1',
      purpose: 'generate',
      model: 'claude-opus-4-5',
      usage: { inputTokens: 100, outputTokens: 50, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 },
      costUsd: 0.5,
      durationMs: 1000,
    },
  },
  {
    type: 'TurnStarted',
    recordedAt: at('2026-12-01'),
    data: { sessionId: 's1', turnId: 't1', chunk: 'C01', taskId: 'T1', attempt: 1 },
  },
  {
    type: 'TurnCompleted',
    recordedAt: at('2026-12-01'),
    data: { sessionId: 's1', turnId: 't1', taskId: 'T1', durationMs: 200, usage: usage(1000, 200, 0.25) },
  },
  // the retry of T1 (attempt 2) counts too
  {
    type: 'TurnStarted',
    recordedAt: at('2026-12-01'),
    data: { sessionId: 's1', turnId: 't2', chunk: 'C01', taskId: 'T1', attempt: 2 },
  },
  {
    type: 'TurnCompleted',
    recordedAt: at('2026-12-01'),
    data: { sessionId: 's1', turnId: 't2', taskId: 'T1', durationMs: 300, usage: usage(500, 100, 0.125) },
  },
  // an agent that reported nothing: unknown, not zero
  {
    type: 'TurnStarted',
    recordedAt: at('2026-12-02'),
    data: { sessionId: 's2', turnId: 't3', chunk: 'C02', taskId: 'T2', attempt: 1 },
  },
  {
    type: 'TurnCompleted',
    recordedAt: at('2026-12-02'),
    data: { sessionId: 's2', turnId: 't3', taskId: 'T2', durationMs: 50, usage: null },
  },
];

describe('usage ledger', () => {
  const entries = ledgerEntries({ planId: 'p1', repository: 'repo' }, events);

  it('has one entry per planning call and per turn, retries included', () => {
    expect(entries.map((e) => [e.kind, e.id, e.attempt])).toEqual([
      ['planning', 'c1', null],
      ['turn', 't1', 1],
      ['turn', 't2', 2],
      ['turn', 't3', 1],
    ]);
    expect(entries[3].usage).toBeNull();
  });

  it('sums per task: every attempt of T1, and T2 counted as unreported', () => {
    const rows = sumLedger(entries, 'task');
    const t1 = rows.find((r) => r.key === 'T1')!;
    expect(t1).toMatchObject({
      turns: 2,
      inputTokens: 1500,
      outputTokens: 300,
      costUsd: 0.375,
      durationMs: 500,
    });
    expect(t1.tokens).toBe(1500 + 300 + 20 + 10);
    expect(rows.find((r) => r.key === 'T2')).toMatchObject({
      turns: 1,
      unreported: 1,
      tokens: 0,
      costUsd: 0,
    });
    expect(rows.find((r) => r.key === '(planning)')).toMatchObject({ calls: 1, costUsd: 0.5 });
  });

  it('sums per session, chunk, plan and day', () => {
    expect(sumLedger(entries, 'session').map((r) => [r.key, r.costUsd])).toEqual([
      ['(planning)', 0.5],
      ['s1', 0.375],
      ['s2', 0],
    ]);
    expect(sumLedger(entries, 'chunk').map((r) => r.key)).toEqual(['(planning)', 'C01', 'C02']);
    expect(sumLedger(entries, 'plan')).toEqual([
      expect.objectContaining({ key: 'p1', calls: 1, turns: 3, costUsd: 0.875 }),
    ]);
    expect(sumLedger(entries, 'day').map((r) => r.key)).toEqual(['2026-11-30', '2026-12-01', '2026-12-02']);
    expect(filterLedger(entries, { from: '2026-12-01', to: '2026-12-01' })).toHaveLength(2);
  });

  it("gives the typical turn (medians of the turns that reported usage) for a first turn's expected cost", () => {
    // t1 $0.25 / 1215 tokens, t2 $0.125 / 615 tokens; t3 unreported, the planning call not a turn
    expect(typicalTurnSpend(entries)).toEqual({ usd: 0.1875, tokens: 915 });
    expect(typicalTurnSpend(entries.slice(0, 1))).toBeNull();
  });
});

describe('budgets', () => {
  it('keeps fields left out and removes limits set to null', () => {
    let b = applyBudgetChange(undefined, { usd: 5, session: { tokens: 1000 } });
    b = applyBudgetChange(b, { tokens: 9000 });
    expect(b).toEqual({ plan: { usd: 5, tokens: 9000 }, session: { tokens: 1000 } });
    b = applyBudgetChange(b, { usd: null });
    expect(effectiveLimits(b, { plan: { usd: 3, tokens: null }, session: { usd: 1, tokens: null } })).toEqual(
      {
        plan: { usd: null, tokens: 9000 },
        session: { usd: 1, tokens: 1000 },
      },
    );
  });

  it('blocks when spent plus the next turn would cross a limit', () => {
    const limits = { plan: { usd: 1, tokens: null }, session: noLimit() };
    const spent = (usd: number) => ({ plan: { usd, tokens: 0 }, session: { usd, tokens: 0 } });
    expect(budgetCrossed(limits, spent(0.5), { usd: 0.4, tokens: 0 })).toBeNull();
    expect(budgetCrossed(limits, spent(0.7), { usd: 0.4, tokens: 0 })).toEqual({
      scope: 'plan',
      unit: 'usd',
      limit: 1,
      spent: 0.7,
      remaining: expect.closeTo(0.3, 9),
      next: 0.4,
    });
    // at the limit, even a turn of unknown cost waits
    expect(budgetCrossed(limits, spent(1), { usd: 0, tokens: 0 })).not.toBeNull();
  });
});
