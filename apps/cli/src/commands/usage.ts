import { Command, InvalidArgumentError, Option } from 'commander';
import { LEDGER_GROUPINGS } from '@chunkwise/domain';
import type { BudgetStatus, ExecutionStats, PlanEstimate, UsageReport, UsageTotals } from '../api-client';
import { contextOf, type Context, type Deps } from '../context';
import { formatCount, formatDuration, formatPercent, printJson, table } from '../output';

const usd = (n: number) => `$${n.toFixed(n !== 0 && n < 1 ? 4 : 2)}`;

/** `none`: remove the limit (commander would turn a parser's null into ''; JSON gets null). */
const NONE = 'none';
type Amount = number | typeof NONE;

/** commander parser of a positive amount, or `none` to remove a limit. */
function amount(value: string): Amount {
  if (value.trim().toLowerCase() === NONE) return NONE;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number, or none.');
  return n;
}

function tokensOf(value: string): Amount {
  const n = amount(value);
  if (n !== NONE && !Number.isInteger(n))
    throw new InvalidArgumentError('expected a whole number of tokens, or none.');
  return n;
}

export function renderUsage(r: UsageReport): string[] {
  const cols = [
    { header: r.by, value: (x: UsageReport['rows'][number]) => x.key, max: 40 },
    { header: 'calls', value: (x: UsageTotals) => String(x.calls), align: 'right' as const },
    { header: 'turns', value: (x: UsageTotals) => String(x.turns), align: 'right' as const },
    { header: 'unreported', value: (x: UsageTotals) => String(x.unreported), align: 'right' as const },
    { header: 'input', value: (x: UsageTotals) => formatCount(x.inputTokens), align: 'right' as const },
    { header: 'output', value: (x: UsageTotals) => formatCount(x.outputTokens), align: 'right' as const },
    {
      header: 'cache r/w',
      value: (x: UsageTotals) => `${formatCount(x.cacheReadTokens)}/${formatCount(x.cacheWriteTokens)}`,
      align: 'right' as const,
    },
    { header: 'cost', value: (x: UsageTotals) => usd(x.costUsd), align: 'right' as const },
    { header: 'time', value: (x: UsageTotals) => formatDuration(x.durationMs), align: 'right' as const },
  ];
  const total = { key: 'total', ...r.totals };
  const lines = table([...r.rows, total], cols);
  lines.splice(lines.length - 1, 0, '');
  const notes = [`costs are estimates (price table of ${r.priceTableDate}, overridable by CHUNKWISE_PRICES)`];
  if (r.totals.unreported > 0)
    notes.push(`${r.totals.unreported} turns reported no usage: unknown, not counted as zero`);
  return [...lines, '', ...notes];
}

const limitText = (l: { usd: number | null; tokens: number | null }) =>
  [l.usd !== null ? usd(l.usd) : null, l.tokens !== null ? `${formatCount(l.tokens)} tokens` : null]
    .filter(Boolean)
    .join(', ') || 'no limit';

export function renderBudget(b: BudgetStatus): string[] {
  const spent = (s: { usd: number; tokens: number } | null) =>
    s ? `${usd(s.usd)}, ${formatCount(s.tokens)} tokens` : '-';
  return [
    `plan ${b.planId}`,
    `  plan budget:    ${limitText(b.limits.plan)}; spent ${spent(b.spent.plan)}; remaining ${limitText(b.remaining.plan)}`,
    `  session budget: ${limitText(b.limits.session)}; spent ${spent(b.spent.session)}${b.sessionId ? ` (session ${b.sessionId})` : ''}; remaining ${limitText(b.remaining.session)}`,
  ];
}

const ms = (n: number | null) => (n === null ? '-' : formatDuration(n));
const money = (n: number | null) => (n === null ? '-' : usd(n));

export function renderStats(title: string, s: ExecutionStats): string[] {
  const lines = [
    `${title}: ${s.tasks} tasks run, ${s.completed} completed`,
    `  attempts per task ${s.attemptsPerTask === null ? '-' : s.attemptsPerTask.toFixed(2)}; retried ${formatPercent(s.retryRate)}; failed ${formatPercent(s.failureRate)}`,
    `  cost per task ${money(s.costPerTask)}; per completed task ${money(s.costPerCompletedTask)}${s.unreportedCostTasks ? ` (${s.unreportedCostTasks} tasks reported no cost)` : ''}`,
    `  paused waiting for a person ${formatDuration(s.pausedMs)}${
      Object.keys(s.pausedByReason).length
        ? ` (${Object.entries(s.pausedByReason)
            .map(([r, v]) => `${r} ${formatDuration(v)}`)
            .join(', ')})`
        : ''
    }`,
  ];
  const durations = Object.entries(s.duration);
  if (durations.length)
    lines.push(
      ...table(
        durations,
        [
          { header: 'mode/scope', value: ([k]) => k },
          { header: 'tasks', value: ([, d]) => String(d.tasks), align: 'right' },
          { header: 'median', value: ([, d]) => ms(d.medianMs), align: 'right' },
          { header: 'p90', value: ([, d]) => ms(d.p90Ms), align: 'right' },
        ],
        '  ',
      ),
    );
  const gates = Object.entries(s.qaGates);
  if (gates.length)
    lines.push(
      ...table(
        gates,
        [
          { header: 'QA gate', value: ([k]) => k },
          { header: 'runs', value: ([, g]) => String(g.runs), align: 'right' },
          { header: 'failed', value: ([, g]) => formatPercent(g.failureRate), align: 'right' },
        ],
        '  ',
      ),
    );
  return lines;
}

export function renderEstimate(e: PlanEstimate): string[] {
  if (!e.history) return [`plan ${e.planId}: no history yet to estimate ${e.tasks} tasks from`];
  const range = (r: { low: number; expected: number; high: number } | null, f: (n: number) => string) =>
    r ? `${f(r.expected)} (${f(r.low)} – ${f(r.high)})` : 'unknown';
  return [
    `plan ${e.planId}: ${e.tasks} open tasks, estimated from ${e.basedOn} past tasks`,
    `  work time ${range(e.durationMs, formatDuration)}; cost ${range(e.costUsd, usd)}`,
  ];
}

/** Prints the plan's estimate when the server gives one; says nothing otherwise (an older server, no history route). */
export async function printEstimate(ctx: Context, planId: string): Promise<void> {
  try {
    const e = await ctx.client().estimate(planId);
    if (typeof e?.history !== 'boolean') return;
    ctx.io.out(
      renderEstimate(e)
        .map((l) => `  ${l}`)
        .join('\n'),
    );
  } catch {
    // the estimate is a hint
  }
}

/** `chunkwise usage`, `budget`, `stats` and `estimate` (docs/cost.md). */
export function usageCommands(deps: Deps): Command[] {
  const usage = new Command('usage')
    .description(
      'tokens and estimated cost of planning calls and agent turns, summed by plan, task, chunk, session, repository, day or model',
    )
    .option('--plan <id>', 'one plan')
    .option('--session <id>', 'one session')
    .option('--repository <repo>', 'one repository')
    .option('--task <id>', 'one task (with --plan)')
    .option('--from <day>', 'from this day (YYYY-MM-DD)')
    .option('--to <day>', 'to this day (YYYY-MM-DD)')
    .addOption(new Option('--by <grouping>', 'sum per').choices(LEDGER_GROUPINGS))
    .action(async (opts: Record<string, string | undefined>, cmd: Command) => {
      const ctx = contextOf(cmd, deps);
      const by = opts.by ?? (opts.session || opts.plan ? 'task' : 'plan');
      const report = await ctx.client().usage({
        plan: opts.plan,
        session: opts.session,
        repository: opts.repository,
        task: opts.task,
        from: opts.from,
        to: opts.to,
        by,
      });
      if (ctx.json) return printJson(ctx.io, report);
      ctx.io.out(renderUsage(report).join('\n'));
    });

  const budget = new Command('budget')
    .description(
      "show or set a plan's budget (USD and/or tokens; per plan and per session). Raise it, then resume a session paused for budget_exceeded",
    )
    .argument('<plan>', 'plan id')
    .option('--usd <n>', "the plan's budget in USD (none: no limit)", amount)
    .option('--tokens <n>', "the plan's budget in tokens (none: no limit)", tokensOf)
    .option('--session-usd <n>', "each session's budget in USD (none: no limit)", amount)
    .option('--session-tokens <n>', "each session's budget in tokens (none: no limit)", tokensOf)
    .action(
      async (
        plan: string,
        opts: {
          usd?: Amount;
          tokens?: Amount;
          sessionUsd?: Amount;
          sessionTokens?: Amount;
        },
        cmd: Command,
      ) => {
        const ctx = contextOf(cmd, deps);
        const set = (o: Record<string, Amount | undefined>) =>
          Object.fromEntries(
            Object.entries(o).flatMap(([k, v]) => (v === undefined ? [] : [[k, v === NONE ? null : v]])),
          );
        const session = set({ usd: opts.sessionUsd, tokens: opts.sessionTokens });
        const change = {
          ...set({ usd: opts.usd, tokens: opts.tokens }),
          ...(Object.keys(session).length ? { session } : {}),
        };
        if (Object.keys(change).length === 0) {
          const status = await ctx.client().budget(plan);
          if (ctx.json) return printJson(ctx.io, status);
          return ctx.io.out(renderBudget(status).join('\n'));
        }
        const written = await ctx.client().setBudget(plan, change);
        if (ctx.json) return printJson(ctx.io, written);
        ctx.io.out([`budget set (revision ${written.revision})`, ...renderBudget(written.budget)].join('\n'));
        ctx.io.out('  a session paused for budget_exceeded goes on with: chunkwise resume ' + plan);
      },
    );
  const stats = new Command('stats')
    .description(
      'analytics of past sessions, per repository and overall: task time by chunk mode and turn scope, attempts, retry and failure rates, QA gate failures, cost per task, time paused',
    )
    .option('--repository <repo>', 'one repository')
    .action(async (opts: { repository?: string }, cmd: Command) => {
      const ctx = contextOf(cmd, deps);
      const report = await ctx.client().stats(opts.repository);
      if (ctx.json) return printJson(ctx.io, report);
      const lines = renderStats('overall', report.overall);
      for (const r of report.repositories) lines.push('', ...renderStats(r.repository, r.stats));
      ctx.io.out(lines.join('\n'));
    });

  const estimate = new Command('estimate')
    .description(
      "a plan's predicted work time and cost from similar past tasks (a range, and how many it rests on)",
    )
    .argument('<plan>', 'plan id')
    .action(async (plan: string, _opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd, deps);
      const e = await ctx.client().estimate(plan);
      if (ctx.json) return printJson(ctx.io, e);
      ctx.io.out(renderEstimate(e).join('\n'));
    });
  return [usage, budget, stats, estimate];
}
