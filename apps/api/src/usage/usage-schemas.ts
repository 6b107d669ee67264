import { budgetChangeSchema, LEDGER_GROUPINGS } from '@chunkwise/domain';
import { z } from 'zod';
import { expectedRevisionSchema } from '../common/api-schemas';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a day as YYYY-MM-DD');
const id = z.string().min(1).max(200);

/** GET /usage: which entries (all filters optional) and how to group them. */
export const usageQuerySchema = z
  .object({
    plan: id.optional(),
    session: id.optional(),
    repository: z.string().min(1).max(2000).optional(),
    task: id.optional(),
    chunk: id.optional(),
    from: day.optional(),
    to: day.optional(),
    by: z.enum(LEDGER_GROUPINGS as [string, ...string[]]).default('plan'),
  })
  .strict();
export type UsageQuery = z.output<typeof usageQuerySchema>;

const totals = {
  calls: z.number().int().describe('Planning calls'),
  turns: z.number().int().describe('Agent turns, every attempt (retries included)'),
  unreported: z
    .number()
    .int()
    .describe('Turns whose usage is unknown (running, or the agent reported none): not in the sums'),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  cacheReadTokens: z.number().int(),
  cacheWriteTokens: z.number().int(),
  tokens: z.number().int().describe('All four token counts'),
  costUsd: z.number().describe('Estimated cost, USD'),
  unpriced: z.number().int().describe('Entries with tokens but no price (unknown model)'),
  durationMs: z.number(),
};
export const ledgerTotalsSchema = z.object(totals);
export const ledgerRowSchema = z.object({ key: z.string(), planId: z.string().optional(), ...totals });

export const usageReportSchema = z.object({
  by: z.string(),
  filter: z.record(z.string(), z.string()),
  /** The date the built-in price table was checked (overridden per model by CHUNKWISE_PRICES). */
  priceTableDate: z.string(),
  totals: ledgerTotalsSchema,
  rows: z.array(ledgerRowSchema),
});

const limit = z.object({ usd: z.number().nullable(), tokens: z.number().nullable() });
const spend = z.object({ usd: z.number(), tokens: z.number() });

export const budgetStatusSchema = z.object({
  planId: z.string(),
  /** The limits in force: the plan's own, else the configured defaults; null: no limit. */
  limits: z.object({ plan: limit, session: limit }),
  spent: z.object({ plan: spend, session: spend.nullable() }),
  remaining: z.object({ plan: limit, session: limit }),
  /** The session counted in `spent.session`: the plan's latest. */
  sessionId: z.string().nullable(),
});

export const planBudgetBodySchema = z
  .object({
    usd: z.number().positive().max(1_000_000).nullable().optional(),
    tokens: z.number().int().positive().max(1e13).nullable().optional(),
    session: z
      .object({
        usd: z.number().positive().max(1_000_000).nullable().optional(),
        tokens: z.number().int().positive().max(1e13).nullable().optional(),
      })
      .strict()
      .optional(),
    expectedRevision: expectedRevisionSchema,
  })
  .strict()
  .superRefine((b, ctx) => {
    const { expectedRevision: _r, ...change } = b;
    const r = budgetChangeSchema.safeParse(change);
    if (!r.success)
      for (const i of r.error.issues) ctx.addIssue({ code: 'custom', message: i.message, path: i.path });
  });

export const budgetWriteResultSchema = z.object({
  id: z.string(),
  revision: z.number().int(),
  budget: budgetStatusSchema,
});

export const statsQuerySchema = z.object({ repository: z.string().min(1).max(2000).optional() }).strict();
export type StatsQuery = z.output<typeof statsQuerySchema>;

const rate = z.number().nullable();
export const executionStatsSchema = z.object({
  tasks: z.number().int(),
  completed: z.number().int(),
  duration: z
    .record(z.string(), z.object({ tasks: z.number().int(), medianMs: rate, p90Ms: rate }))
    .describe('Work time per task (turns and QA gates, every attempt) by `<chunk mode>/<turn scope>`'),
  attemptsPerTask: rate,
  retryRate: rate,
  failureRate: rate,
  qaGates: z.record(
    z.string(),
    z.object({ runs: z.number().int(), failed: z.number().int(), failureRate: rate }),
  ),
  costPerTask: rate,
  costPerCompletedTask: rate,
  unreportedCostTasks: z.number().int(),
  pausedMs: z.number(),
  pausedByReason: z.record(z.string(), z.number()),
});
export const statsReportSchema = z.object({
  overall: executionStatsSchema,
  repositories: z.array(z.object({ repository: z.string(), stats: executionStatsSchema })),
});
const range = z.object({ low: z.number(), expected: z.number(), high: z.number() });
export const planEstimateSchema = z.object({
  planId: z.string(),
  history: z.boolean().describe('false: no past completed task ("no history")'),
  basedOn: z.number().int().describe('Past completed tasks the estimate rests on'),
  tasks: z.number().int().describe('Open tasks estimated'),
  durationMs: range.nullable().describe('Summed work time, ms (parallel chunks may finish sooner)'),
  costUsd: range.nullable(),
  perTask: z.array(
    z.object({
      taskId: z.string(),
      match: z.enum(['similar', 'same mode', 'all']),
      basedOn: z.number().int(),
    }),
  ),
});

export const USAGE_OPENAPI_SCHEMAS: Record<string, { schema: z.ZodType; io: 'input' | 'output' }> = {
  UsageReport: { schema: usageReportSchema, io: 'output' },
  BudgetStatus: { schema: budgetStatusSchema, io: 'output' },
  SetPlanBudget: { schema: planBudgetBodySchema, io: 'input' },
  BudgetWriteResult: { schema: budgetWriteResultSchema, io: 'output' },
  ExecutionStatsReport: { schema: statsReportSchema, io: 'output' },
  PlanEstimate: { schema: planEstimateSchema, io: 'output' },
};
