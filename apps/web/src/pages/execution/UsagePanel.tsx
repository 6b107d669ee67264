import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, type Schemas } from '../../api/client';
import { unwrap } from '../../api/errors';
import { planKeys } from '../../api/queries';
import { ErrorMessage } from '../../components/ErrorMessage';

type Limit = Schemas['BudgetStatus']['limits']['plan'];

const usd = (n: number) => `$${n.toFixed(n !== 0 && n < 1 ? 4 : 2)}`;
const count = (n: number) => Math.round(n).toLocaleString('en-US');
const limitText = (l: Limit) =>
  [l.usd !== null ? usd(l.usd) : null, l.tokens !== null ? `${count(l.tokens)} tokens` : null]
    .filter(Boolean)
    .join(', ') || 'no limit';

/** Under the plan's keys: every event the stream brings (a turn ended, a budget set) refreshes them. */
export const usageQuery = (id: string) =>
  queryOptions({
    queryKey: [...planKeys.plan(id), 'ledger'] as const,
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/usage', { params: { query: { plan: id, by: 'task' } }, signal })),
  });

export const budgetQuery = (id: string) =>
  queryOptions({
    queryKey: [...planKeys.plan(id), 'budget'] as const,
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/plans/{id}/budget', { params: { path: { id } }, signal })),
  });

export const estimateQuery = (id: string) =>
  queryOptions({
    queryKey: [...planKeys.plan(id), 'estimate'] as const,
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/plans/{id}/estimate', { params: { path: { id } }, signal })),
  });

/**
 * The plan's spend per task, its budget (set it here) and the estimate from past sessions
 * (docs/cost.md). Folded until opened, or while a session is paused for its budget: read only then.
 */
export function UsagePanel({ planId, openAtStart = false }: { planId: string; openAtStart?: boolean }) {
  const [open, setOpen] = useState(openAtStart);
  // A budget pause (seen once the progress loads) opens it: the budget is what to act on.
  const [budgetPause, setBudgetPause] = useState(openAtStart);
  if (openAtStart !== budgetPause) {
    setBudgetPause(openAtStart);
    if (openAtStart) setOpen(true);
  }
  return (
    <details
      className="card usage-panel"
      open={open}
      onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}
    >
      <summary>Usage and budget</summary>
      {open ? <UsageFigures planId={planId} /> : null}
    </details>
  );
}

function UsageFigures({ planId }: { planId: string }) {
  const queryClient = useQueryClient();
  const usage = useQuery(usageQuery(planId));
  const budget = useQuery(budgetQuery(planId));
  const estimate = useQuery(estimateQuery(planId));
  const [amount, setAmount] = useState('');
  const save = useMutation({
    mutationFn: async (value: number | null) =>
      unwrap(
        await api.PUT('/api/plans/{id}/budget', { params: { path: { id: planId } }, body: { usd: value } }),
      ),
    onSuccess: () => setAmount(''),
    onSettled: () => queryClient.invalidateQueries({ queryKey: planKeys.plan(planId) }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const n = Number(amount);
    if (amount.trim() && Number.isFinite(n) && n > 0) save.mutate(n);
  };
  const totals = usage.data?.totals;
  const e = estimate.data;
  return (
    <section aria-label="Usage">
      {usage.isError ? <ErrorMessage error={usage.error} title="Could not load the usage" /> : null}
      {totals ? (
        <p>
          {usd(totals.costUsd)} · {count(totals.tokens)} tokens · {totals.calls} planning calls ·{' '}
          {totals.turns} turns
          {totals.unreported ? ` (${totals.unreported} reported no usage)` : ''}
        </p>
      ) : null}
      {usage.data && usage.data.rows.length > 0 ? (
        <table className="usage-table">
          <thead>
            <tr>
              <th scope="col">task</th>
              <th scope="col">turns</th>
              <th scope="col">tokens</th>
              <th scope="col">cost</th>
            </tr>
          </thead>
          <tbody>
            {usage.data.rows.map((r) => (
              <tr key={r.key}>
                <td>{r.key}</td>
                <td>{r.turns + r.calls}</td>
                <td>{r.unreported && !r.tokens ? 'unknown' : count(r.tokens)}</td>
                <td>{r.unreported && !r.costUsd ? 'unknown' : usd(r.costUsd)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {budget.data ? (
        <p>
          Budget: {limitText(budget.data.limits.plan)} · remaining {limitText(budget.data.remaining.plan)}
          {budget.data.limits.session.usd !== null || budget.data.limits.session.tokens !== null
            ? ` · per session ${limitText(budget.data.limits.session)}`
            : ''}
        </p>
      ) : null}
      <form onSubmit={submit} className="usage-budget-form">
        <label>
          Plan budget (USD){' '}
          <input
            type="number"
            min="0"
            step="any"
            value={amount}
            onChange={(ev) => setAmount(ev.target.value)}
            aria-label="Plan budget in USD"
          />
        </label>{' '}
        <button type="submit" disabled={save.isPending || !amount.trim()}>
          Set budget
        </button>
      </form>
      {save.isError ? <ErrorMessage error={save.error} title="Could not set the budget" /> : null}
      {e ? (
        <p className="muted">
          {e.history
            ? `Estimate for ${e.tasks} open tasks, from ${e.basedOn} past tasks: ` +
              (e.costUsd
                ? `${usd(e.costUsd.expected)} (${usd(e.costUsd.low)} – ${usd(e.costUsd.high)})`
                : 'cost unknown') +
              (e.durationMs ? `, ${Math.round(e.durationMs.expected / 60000)} min of work` : '')
            : 'No history yet to estimate this plan from.'}
        </p>
      ) : null}
    </section>
  );
}
