import { noLimit } from './budget';
import { decide, evolve, fold } from './decider';
import { DomainError } from './errors';
import type { ExecutionEvent } from './execution-events';
import {
  budgetReading,
  budgetStatus,
  planningBudgetCrossed,
  sessionBudgetOf,
  turnBudgetCrossed,
} from './plan-budget';
import type { PlanState } from './state';

const none = { plan: noLimit(), session: noLimit() };

function plan(): PlanState {
  const created = fold(
    decide(
      {
        type: 'CreatePlan',
        planId: 'p',
        document: { title: 'p', repository: '/r', tasks: [{ id: 'T1', chunk: 'C01', title: 't' }] },
        llmCalls: [
          {
            callId: 'c1',
            purpose: 'generate',
            model: 'm',
            usage: {
              inputTokens: 800,
              outputTokens: 200,
              cacheCreationInputTokens: 0,
              cacheReadInputTokens: 0,
            },
            costUsd: 0.01,
            durationMs: 5,
            repaired: false,
          },
        ],
      },
      fold([]),
    ),
  );
  return created;
}

const apply = (s: PlanState, ...events: ExecutionEvent[]) => events.reduce(evolve, s);
const turn = (sessionId: string, n: number, usd: number): ExecutionEvent[] => [
  {
    type: 'TurnStarted',
    data: { revision: 1, sessionId, turnId: `${sessionId}-${n}`, chunk: 'C01', taskId: 'T1', attempt: n },
  },
  {
    type: 'TurnCompleted',
    data: {
      revision: 1,
      sessionId,
      turnId: `${sessionId}-${n}`,
      taskId: 'T1',
      exitCode: 0,
      timedOut: false,
      durationMs: 1,
      succeeded: true,
      error: null,
      usage: { inputTokens: 90, outputTokens: 10, cacheReadTokens: 0, cacheCreationTokens: 0, costUsd: usd },
    },
  },
];

describe("a plan's budget", () => {
  it('is set by an event in any status but archived; a change keeps what it leaves out', () => {
    let s = plan();
    s = fold(decide({ type: 'SetPlanBudget', change: { usd: 1 } }, s), s);
    s = fold(decide({ type: 'FinalizePlan' }, s), s);
    s = fold(decide({ type: 'SetPlanBudget', change: { session: { tokens: 500 } }, author: 'me' }, s), s);
    expect(s.budget).toEqual({ plan: { usd: 1 }, session: { tokens: 500 } });
    expect(s.revision).toBe(1);
    expect(() => decide({ type: 'SetPlanBudget', change: { usd: -1 } }, s)).toThrow(DomainError);
    const archived = fold(decide({ type: 'ArchivePlan' }, s), s);
    expect(() => decide({ type: 'SetPlanBudget', change: { usd: 2 } }, archived)).toThrow(/archived/);
  });

  it("counts planning calls and every session's turns; a session's own turns apart from the rest", () => {
    const ran = apply(plan(), ...turn('s1', 1, 0.1), ...turn('s1', 2, 0.2));
    expect(ran.turnSpend).toEqual({ usd: 0.3, tokens: 200 });
    // The plan's current session (run) is not started by these bare events: all of it is "elsewhere".
    expect(budgetReading(ran, 's2')).toEqual({ own: null, planSpentElsewhere: { usd: 0.31, tokens: 1200 } });
    const status = budgetStatus(ran, { plan: { usd: 0.5, tokens: null }, session: noLimit() });
    expect(status.spent.plan).toEqual({ usd: 0.31, tokens: 1200 });
    expect(status.remaining.plan).toEqual({ usd: 0.19, tokens: null });
  });

  it('checks a turn: spent plus the turns in flight and the next, each like the last one', () => {
    const budget = sessionBudgetOf(plan(), { plan: { usd: 0.5, tokens: null }, session: noLimit() }, 's1');
    const state = { spent: { usd: 0.2, tokens: 100 }, lastTurnSpend: { usd: 0.1, tokens: 50 } };
    expect(turnBudgetCrossed(state, budget)).toBeNull(); // 0.01 + 0.2 + 0.1
    expect(turnBudgetCrossed(state, budget, 2)).toMatchObject({
      scope: 'plan',
      unit: 'usd',
      next: expect.closeTo(0.3, 9),
    });
    // no limit in force: nothing to check
    expect(turnBudgetCrossed(state, sessionBudgetOf(plan(), none, 's1'), 99)).toBeNull();
    // the session's own limit in tokens
    const own = { ...budget, own: { plan: {}, session: { tokens: 120 } } };
    expect(turnBudgetCrossed(state, own)).toMatchObject({
      scope: 'session',
      unit: 'tokens',
      remaining: 20,
      next: 50,
    });
  });

  it('checks a planning turn by its number of calls, each at the average call so far', () => {
    const p = plan(); // one call of $0.01
    const defaults = { plan: { usd: 0.035, tokens: null }, session: noLimit() };
    expect(planningBudgetCrossed(p, defaults, 2)).toBeNull(); // 0.01 + 0.02
    expect(planningBudgetCrossed(p, defaults, 4)).toMatchObject({
      spent: 0.01,
      next: expect.closeTo(0.04, 9),
    });
    expect(planningBudgetCrossed(p, none, 100)).toBeNull();
  });
});
