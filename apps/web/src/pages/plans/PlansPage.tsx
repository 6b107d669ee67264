import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, type PlanSummary } from '../../api/client';
import { unwrap } from '../../api/errors';
import { planKeys, repositoriesQuery } from '../../api/queries';
import { Busy } from '../../components/Busy';
import { ErrorMessage } from '../../components/ErrorMessage';
import { ProgressBar } from '../../components/ProgressBar';
import { StatusBadge } from '../../components/StatusBadge';
import { TimeAgo } from '../../components/TimeAgo';
import { isPlanStatus, PLAN_STATUSES, plansQuery } from './plans-api';
import './plans.css';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * The plan list (`/`): one card per plan with its status, size, progress and the action its status calls
 * for. Status and repository filter on the server; the title search filters what came back. The filters
 * live in the address (?status=&repository=&q=) so that a filtered list can be bookmarked and shared.
 */
export function PlansPage() {
  const [params, setParams] = useSearchParams();
  const statusParam = params.get('status') ?? '';
  const status = isPlanStatus(statusParam) ? statusParam : undefined;
  const repository = params.get('repository') || undefined;
  const search = params.get('q') ?? '';

  const plans = useQuery(plansQuery({ status, repository }));
  // The unfiltered list (the same query when no filter is set) names the repositories plans use.
  const allPlans = useQuery(plansQuery({}));
  const repositories = useQuery(repositoriesQuery());

  const setParam = (name: string, value: string) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (value) next.set(name, value);
        else next.delete(name);
        return next;
      },
      { replace: true },
    );

  const repositoryOptions = new Map<string, string>();
  for (const r of repositories.data?.repositories ?? []) repositoryOptions.set(`repo:${r.id}`, r.name);
  for (const p of allPlans.data ?? [])
    if (p.repository && !repositoryOptions.has(p.repository))
      repositoryOptions.set(p.repository, p.repository);
  if (repository && !repositoryOptions.has(repository)) repositoryOptions.set(repository, repository);

  const needle = search.trim().toLowerCase();
  const shown = (plans.data ?? []).filter((p) => !needle || p.title.toLowerCase().includes(needle));
  const filtered = Boolean(status || repository || needle);

  return (
    <section className="plans-page" aria-labelledby="plans-title">
      <div className="plans-head">
        <h1 id="plans-title">Plans</h1>
        <Link to="/plans/new" className="button primary">
          New plan
        </Link>
      </div>

      <form
        className="plans-filters"
        role="search"
        aria-label="Filter plans"
        onSubmit={(e) => e.preventDefault()}
      >
        <label>
          Search by title
          <input type="search" value={search} onChange={(e) => setParam('q', e.target.value)} />
        </label>
        <label>
          Status
          <select value={status ?? ''} onChange={(e) => setParam('status', e.target.value)}>
            <option value="">All statuses</option>
            {PLAN_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Repository
          <select value={repository ?? ''} onChange={(e) => setParam('repository', e.target.value)}>
            <option value="">All repositories</option>
            {[...repositoryOptions].map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </form>

      {plans.isPending ? (
        <Busy label="Loading plans…" />
      ) : plans.isError ? (
        <ErrorMessage
          error={plans.error}
          title="Could not load the plans"
          onRetry={() => void plans.refetch()}
        />
      ) : shown.length === 0 ? (
        filtered ? (
          <div className="card empty">
            <p>No plans match these filters.</p>
            <button type="button" onClick={() => setParams({}, { replace: true })}>
              Clear filters
            </button>
          </div>
        ) : (
          <div className="card empty">
            <p>No plans yet.</p>
            <p>
              <Link to="/plans/new">Create a plan</Link>: let Claude write one from a description, write it by
              hand, or import one from OpenSpec, Spec Kit, Task Master or Kiro.
            </p>
          </div>
        )
      ) : (
        <>
          <p className="muted" aria-live="polite">
            {plural(shown.length, 'plan')}
            {filtered ? ' match' : ''}
          </p>
          <div className="grid plan-cards">
            {shown.map((plan) => (
              <PlanCard key={plan.id} plan={plan} />
            ))}
          </div>
        </>
      )}
    </section>
  );
}

/** One plan: title (link), status, size, progress, times and the action its status calls for. */
export function PlanCard({ plan }: { plan: PlanSummary }) {
  const titleId = useId();
  const live = plan.status === 'running' || plan.status === 'paused';
  return (
    <article className="card plan-card" aria-labelledby={titleId}>
      <h2 id={titleId} className="plan-card-title">
        <Link to={`/plans/${plan.id}`}>{plan.title}</Link>
      </h2>
      <p className="plan-card-meta">
        <StatusBadge status={plan.status} />
        <span>revision {plan.revision}</span>
        {plan.repository ? <span className="plan-card-repo">{plan.repository}</span> : null}
      </p>
      {plan.description ? <p className="plan-card-description">{plan.description}</p> : null}
      <p className="plan-card-counts">
        {plural(plan.chunkCount, 'chunk')} · {plural(plan.taskCount, 'task')} ·{' '}
        <span>
          {plan.completedCount}/{plan.taskCount} completed
        </span>
        {plan.failedCount > 0 ? <span className="plan-card-failed"> · {plan.failedCount} failed</span> : null}
      </p>
      {live ? <ProgressBar value={plan.progress} label={`${plan.title} progress`} /> : null}
      <p className="muted plan-card-times">
        Created <TimeAgo iso={plan.createdAt} /> · updated <TimeAgo iso={plan.updatedAt} />
      </p>
      <PlanActions plan={plan} describedBy={titleId} />
    </article>
  );
}

function PlanActions({ plan, describedBy }: { plan: PlanSummary; describedBy: string }) {
  const queryClient = useQueryClient();
  const path = { params: { path: { id: plan.id } } };
  const control = useMutation({
    mutationFn: async (action: 'pause' | 'resume') =>
      action === 'pause'
        ? unwrap(await api.POST('/api/plans/{id}/pause', { ...path, body: {} }))
        : unwrap(await api.POST('/api/plans/{id}/resume', path)),
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: planKeys.lists() }),
        queryClient.invalidateQueries({ queryKey: planKeys.plan(plan.id) }),
      ]),
  });
  const base = `/plans/${plan.id}`;
  const link = (to: string, label: string) => (
    <Link to={to} className="button" aria-describedby={describedBy}>
      {label}
    </Link>
  );
  const button = (action: 'pause' | 'resume', label: string) => (
    <button
      type="button"
      aria-describedby={describedBy}
      disabled={control.isPending}
      onClick={() => control.mutate(action)}
    >
      {label}
    </button>
  );
  let actions;
  switch (plan.status) {
    case 'draft':
      actions = (
        <>
          {link(`${base}/planning`, 'Review')}
          {link(base, 'Edit')}
        </>
      );
      break;
    case 'ready':
      actions = link(`${base}/run`, 'Execute');
      break;
    case 'running':
      actions = button('pause', 'Pause');
      break;
    case 'paused':
      actions = button('resume', 'Resume');
      break;
    default:
      actions = link(`${base}/run`, 'Details');
  }
  return (
    <>
      <div className="actions">{actions}</div>
      {control.isSuccess ? (
        <p className="muted" role="status">
          {control.variables === 'pause'
            ? 'Pause requested: the plan pauses at the next safe boundary.'
            : 'Resumed.'}
        </p>
      ) : null}
      <ErrorMessage
        error={control.error}
        title={control.variables === 'pause' ? 'Could not pause' : 'Could not resume'}
      />
    </>
  );
}
