import { z } from 'zod';
import type { TurnUsage } from './execution-events';
import type { PlanUsage } from './planning';

/**
 * Budgets (docs/cost.md): a limit in USD and/or tokens, per plan (everything spent for it: planning
 * calls and every session's turns) and per session. Tokens count everything billed: input, output,
 * cache reads and cache writes. The check is pure: the workflow runs it before each turn, the
 * planning service before each planning call.
 */

/** null: no limit. */
export interface BudgetLimit {
  usd: number | null;
  tokens: number | null;
}

export interface Spend {
  usd: number;
  tokens: number;
}

export const noLimit = (): BudgetLimit => ({ usd: null, tokens: null });
export const noSpend = (): Spend => ({ usd: 0, tokens: 0 });

const usd = z.number().positive().max(1_000_000).nullable();
const tokens = z.number().int().positive().max(1e13).nullable();
/** The body of `PUT /plans/:id/budget`: a field left out keeps its value, null removes the limit. */
export const budgetChangeSchema = z
  .object({
    usd: usd.optional(),
    tokens: tokens.optional(),
    session: z.object({ usd: usd.optional(), tokens: tokens.optional() }).strict().optional(),
  })
  .strict()
  .refine((b) => b.usd !== undefined || b.tokens !== undefined || b.session !== undefined, {
    message: 'give usd, tokens or session',
  });
export type BudgetChange = z.infer<typeof budgetChangeSchema>;

/** A plan's budget as its events set it; a limit never set falls back to configuration. */
export interface PlanBudget {
  plan: Partial<BudgetLimit>;
  session: Partial<BudgetLimit>;
}

export function applyBudgetChange(budget: PlanBudget | undefined, change: BudgetChange): PlanBudget {
  const b = budget ?? { plan: {}, session: {} };
  const pick = (o: { usd?: number | null; tokens?: number | null } | undefined) => ({
    ...(o?.usd !== undefined ? { usd: o.usd } : {}),
    ...(o?.tokens !== undefined ? { tokens: o.tokens } : {}),
  });
  return { plan: { ...b.plan, ...pick(change) }, session: { ...b.session, ...pick(change.session) } };
}

/** The limits in force: the plan's own, else the configured defaults. */
export function effectiveLimits(
  budget: PlanBudget | undefined,
  defaults: { plan: BudgetLimit; session: BudgetLimit },
): { plan: BudgetLimit; session: BudgetLimit } {
  const merge = (own: Partial<BudgetLimit> | undefined, d: BudgetLimit): BudgetLimit => ({
    usd: own?.usd !== undefined ? own.usd : d.usd,
    tokens: own?.tokens !== undefined ? own.tokens : d.tokens,
  });
  return { plan: merge(budget?.plan, defaults.plan), session: merge(budget?.session, defaults.session) };
}

export const usageTokens = (
  u: Pick<TurnUsage, 'inputTokens' | 'outputTokens' | 'cacheReadTokens' | 'cacheCreationTokens'>,
) => u.inputTokens + u.outputTokens + u.cacheReadTokens + u.cacheCreationTokens;

/** What a turn spent; a turn without a report spends nothing we know of. */
export const turnSpend = (u: TurnUsage | null | undefined): Spend =>
  u ? { usd: u.costUsd ?? 0, tokens: usageTokens(u) } : noSpend();

export const planningSpend = (u: PlanUsage): Spend => ({
  usd: u.costUsd,
  tokens: u.inputTokens + u.outputTokens + u.cacheReadInputTokens + u.cacheCreationInputTokens,
});

/** Rounded to micro-dollars so sums stay stable across replays. */
export const addSpend = (a: Spend, b: Spend): Spend => ({
  usd: Math.round((a.usd + b.usd) * 1e6) / 1e6,
  tokens: a.tokens + b.tokens,
});

export interface BudgetExceeded {
  scope: 'plan' | 'session';
  unit: 'usd' | 'tokens';
  limit: number;
  spent: number;
  remaining: number;
  /** The expected cost of what was about to run. */
  next: number;
}

/**
 * Whether spending `next` on top of what is spent would cross a limit: the first limit crossed
 * (plan before session, USD before tokens), or null when everything fits.
 */
export function budgetCrossed(
  limits: { plan: BudgetLimit; session: BudgetLimit },
  spent: { plan: Spend; session: Spend },
  next: Spend,
): BudgetExceeded | null {
  for (const scope of ['plan', 'session'] as const) {
    for (const unit of ['usd', 'tokens'] as const) {
      const limit = limits[scope][unit];
      if (limit === null) continue;
      const s = spent[scope][unit];
      // Already at the limit blocks even a turn expected to cost nothing (its cost is unknown).
      if (s + next[unit] > limit || (s >= limit && next[unit] === 0))
        return { scope, unit, limit, spent: s, remaining: Math.max(0, limit - s), next: next[unit] };
    }
  }
  return null;
}

const fmt = (unit: 'usd' | 'tokens', n: number) =>
  unit === 'usd' ? `$${n.toFixed(n < 1 ? 4 : 2)}` : `${Math.round(n).toLocaleString('en-US')} tokens`;

/** The words a pause or a refusal gives. */
export function describeBudgetExceeded(e: BudgetExceeded, what: string): string {
  return `${e.scope} budget of ${fmt(e.unit, e.limit)} would be crossed: spent ${fmt(e.unit, e.spent)}, remaining ${fmt(e.unit, e.remaining)}; next: ${what} (expected ${fmt(e.unit, e.next)})`;
}

/**
 * The expected cost of the next turn: the last turn of this session that reported usage (turns of a
 * session are alike: same agent, same scope), else the estimate from history, else nothing.
 */
export function expectedTurnSpend(
  lastTurn: Spend | null | undefined,
  fromHistory: Spend | null | undefined,
): Spend {
  return lastTurn ?? fromHistory ?? noSpend();
}

/** The plan's budget and what it spent outside one session, as the store holds them now. */
export interface BudgetReading {
  own: PlanBudget | null;
  planSpentElsewhere: Spend;
}

/**
 * The budget a session carries: the configured defaults it started with, and the plan's budget and
 * spending read when it started. The workflow reads the plan's part again (a `readBudget` activity)
 * before it pauses for money and after every such pause, so a raised budget is seen on resume.
 */
export interface SessionBudget extends BudgetReading {
  defaults: { plan: BudgetLimit; session: BudgetLimit };
  /** Expected cost of one turn from past sessions, when there is history. */
  turnEstimate: Spend | null;
}
