/**
 * Budgets applied to a plan and its sessions (docs/cost.md): what a plan has spent, what a session
 * carries, and the checks before a turn and before a planning call. Pure.
 */
import {
  addSpend,
  budgetCrossed,
  effectiveLimits,
  expectedTurnSpend,
  noSpend,
  planningSpend,
  type BudgetExceeded,
  type BudgetLimit,
  type BudgetReading,
  type SessionBudget,
  type Spend,
} from './budget';
import type { SessionState } from './session';
import type { PlanState } from './state';

export type BudgetDefaults = SessionBudget['defaults'];

/** Everything spent for the plan: planning calls and every session's turns. */
export const planSpent = (plan: PlanState): Spend =>
  addSpend(planningSpend(plan.usage), plan.turnSpend ?? noSpend());

const minus = (a: Spend, b: Spend): Spend => ({
  usd: Math.max(0, Math.round((a.usd - b.usd) * 1e6) / 1e6),
  tokens: Math.max(0, a.tokens - b.tokens),
});

/** The plan's budget and its spending outside `sessionId` (what that session's own turns add is the session's to count). */
export function budgetReading(plan: PlanState, sessionId: string | null): BudgetReading {
  const own = plan.run && plan.run.sessionId === sessionId ? (plan.run.spent ?? noSpend()) : noSpend();
  return { own: plan.budget ?? null, planSpentElsewhere: minus(planSpent(plan), own) };
}

export function sessionBudgetOf(
  plan: PlanState,
  defaults: BudgetDefaults,
  sessionId: string,
  turnEstimate: Spend | null = null,
): SessionBudget {
  return { ...budgetReading(plan, sessionId), defaults, turnEstimate };
}

export const limitsOf = (b: Pick<SessionBudget, 'own' | 'defaults'>) =>
  effectiveLimits(b.own ?? undefined, b.defaults);

const hasLimit = (l: { plan: BudgetLimit; session: BudgetLimit }) =>
  [l.plan.usd, l.plan.tokens, l.session.usd, l.session.tokens].some((v) => v !== null);

/** Whether any limit is in force for a session. */
export const hasBudget = (b: Pick<SessionBudget, 'own' | 'defaults'>) => hasLimit(limitsOf(b));

/**
 * Before a turn: would what is spent, plus the turns in flight and the next one (each expected to cost
 * what the last one did), cross the plan's or the session's budget?
 */
export function turnBudgetCrossed(
  state: Pick<SessionState, 'spent' | 'lastTurnSpend'>,
  budget: SessionBudget,
  turnsInFlight = 0,
): BudgetExceeded | null {
  const limits = limitsOf(budget);
  if (!hasLimit(limits)) return null;
  const session = state.spent ?? noSpend();
  const one = expectedTurnSpend(state.lastTurnSpend, budget.turnEstimate);
  const next = { usd: one.usd * (turnsInFlight + 1), tokens: one.tokens * (turnsInFlight + 1) };
  return budgetCrossed(limits, { plan: addSpend(budget.planSpentElsewhere, session), session }, next);
}

/** Before planning: would `calls` more model calls (each costing the plan's average call so far) cross the plan's budget? */
export function planningBudgetCrossed(
  plan: PlanState,
  defaults: BudgetDefaults,
  calls: number,
): BudgetExceeded | null {
  const limits = { plan: effectiveLimits(plan.budget, defaults).plan, session: { usd: null, tokens: null } };
  if (!hasLimit(limits)) return null;
  const u = plan.usage;
  const per = u.calls > 0 ? planningSpend(u) : noSpend();
  const next = {
    usd: (per.usd / Math.max(1, u.calls)) * calls,
    tokens: Math.round((per.tokens / Math.max(1, u.calls)) * calls),
  };
  const spent = planSpent(plan);
  return budgetCrossed(limits, { plan: spent, session: noSpend() }, next);
}

/** The figures `GET /plans/:id/budget` and `chunkwise budget` show: limits in force, spent, remaining. */
export function budgetStatus(plan: PlanState, defaults: BudgetDefaults) {
  const limits = effectiveLimits(plan.budget, defaults);
  const session = plan.run ? (plan.run.spent ?? noSpend()) : null;
  const spent = { plan: planSpent(plan), session };
  const left = (l: BudgetLimit, s: Spend | null): BudgetLimit => ({
    usd: l.usd === null ? null : Math.max(0, Math.round((l.usd - (s?.usd ?? 0)) * 1e6) / 1e6),
    tokens: l.tokens === null ? null : Math.max(0, l.tokens - (s?.tokens ?? 0)),
  });
  return {
    planId: plan.planId,
    limits,
    spent,
    remaining: { plan: left(limits.plan, spent.plan), session: left(limits.session, session) },
    sessionId: plan.run?.sessionId ?? null,
  };
}
