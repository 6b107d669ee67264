import { queryOptions, useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { api, type PlanDetail, type Schemas } from '../../api/client';
import { unwrap } from '../../api/errors';
import { planKeys } from '../../api/queries';
import { usePlanContext } from '../../app/plan-context';
import { Busy } from '../../components/Busy';
import { ErrorMessage } from '../../components/ErrorMessage';
import { StatusBadge } from '../../components/StatusBadge';
import { TimeAgo } from '../../components/TimeAgo';
import './history.css';

type HistoryEntry = Schemas['PlanHistory']['entries'][number];

/** Every event of the plan (refreshed by the live stream: it lives under ['plan', id]). */
export const historyQuery = (id: string) =>
  queryOptions({
    queryKey: planKeys.history(id),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/plans/{id}/history', { params: { path: { id } }, signal })),
  });

/** The plan as it stood at a revision (GET /api/plans/{id}?revision=N): it never changes. */
export const planAtRevisionQuery = (id: string, revision: number) =>
  queryOptions({
    queryKey: [...planKeys.plan(id), 'revision', revision] as const,
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/plans/{id}', {
          params: { path: { id }, query: { revision } },
          signal,
        }),
      ),
    staleTime: Infinity,
  });

const searchable = (e: HistoryEntry) => `${e.type} ${JSON.stringify(e.data ?? null)}`.toLowerCase();

/** The history tab: the plan's events, filterable, and the plan as it stood at any revision. */
export function HistoryPage() {
  const { plan } = usePlanContext();
  return <PlanHistory planId={plan.id} />;
}

export function PlanHistory({ planId }: { planId: string }) {
  const history = useQuery(historyQuery(planId));
  const [type, setType] = useState('');
  const [text, setText] = useState('');
  const [asOf, setAsOf] = useState<number | null>(null);

  if (history.isPending) return <Busy label="Loading the history…" />;
  if (history.isError)
    return (
      <ErrorMessage
        error={history.error}
        title="Could not load the history"
        onRetry={() => void history.refetch()}
      />
    );
  const entries = history.data.entries;
  const types = [...new Set(entries.map((e) => e.type))].sort();
  const revisions = [...new Set(entries.map((e) => e.revision).filter((r) => r >= 1))].sort((a, b) => b - a);
  const needle = text.trim().toLowerCase();
  const shown = entries.filter(
    (e) => (!type || e.type === type) && (!needle || searchable(e).includes(needle)),
  );
  // One "show the plan" button per revision: on the first shown event that reached it.
  const seen = new Set<number>();
  const withButton = new Set<HistoryEntry>();
  for (const e of shown)
    if (e.revision >= 1 && !seen.has(e.revision)) {
      seen.add(e.revision);
      withButton.add(e);
    }

  return (
    <section className="history" aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      <form className="history-filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          Event type
          <select value={type} onChange={(e) => setType(e.target.value)}>
            <option value="">All event types</option>
            {types.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label>
          Filter
          <input type="text" value={text} onChange={(e) => setText(e.target.value)} />
        </label>
        <label>
          As of revision
          <select
            value={asOf ?? ''}
            onChange={(e) => setAsOf(e.target.value ? Number(e.target.value) : null)}
          >
            <option value="">Choose a revision</option>
            {revisions.map((r) => (
              <option key={r} value={r}>
                Revision {r}
              </option>
            ))}
          </select>
        </label>
      </form>

      {asOf !== null ? <PlanAsOf planId={planId} revision={asOf} onClose={() => setAsOf(null)} /> : null}

      <p className="muted" aria-live="polite">
        {shown.length === entries.length
          ? `${entries.length} ${entries.length === 1 ? 'event' : 'events'}`
          : `${shown.length} of ${entries.length} events`}
      </p>
      <div className="table-scroll" role="region" aria-label="Events (scrolls sideways)" tabIndex={0}>
        <table className="history-table">
          <caption>Events</caption>
          <thead>
            <tr>
              <th scope="col">Type</th>
              <th scope="col">Revision</th>
              <th scope="col">Time</th>
              <th scope="col">Data</th>
            </tr>
          </thead>
          <tbody>
            {shown.length === 0 ? (
              <tr>
                <td colSpan={4} className="muted">
                  No events match these filters.
                </td>
              </tr>
            ) : (
              shown.map((e) => (
                <tr key={e.eventId}>
                  <td>
                    <code>{e.type}</code>
                  </td>
                  <td>
                    <span className="history-revision">{e.revision}</span>
                    {withButton.has(e) ? (
                      <button type="button" className="history-asof" onClick={() => setAsOf(e.revision)}>
                        Show the plan as of revision {e.revision}
                      </button>
                    ) : null}
                  </td>
                  <td>
                    <TimeAgo iso={e.recordedAt} />
                  </td>
                  <td>
                    <details>
                      <summary>{summaryOf(e.data)}</summary>
                      <pre>{JSON.stringify(e.data, null, 2)}</pre>
                      {Object.keys(e.metadata).length ? (
                        <>
                          <p className="muted">Metadata</p>
                          <pre>{JSON.stringify(e.metadata, null, 2)}</pre>
                        </>
                      ) : null}
                    </details>
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>

      {history.data.feedback.length ? (
        <>
          <h3>Feedback</h3>
          <ul className="history-feedback">
            {history.data.feedback.map((f, n) => (
              <li key={n}>
                <span className="muted">
                  Revision {f.revision}
                  {f.author ? `, ${f.author}` : ''}
                  {f.mode ? ` (${f.mode})` : ''}:
                </span>{' '}
                {f.feedback}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

/** A short label for an event's data: its fields, or its value. */
function summaryOf(data: unknown): string {
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    const keys = Object.keys(data);
    if (keys.length === 0) return 'No data';
    const names = keys.slice(0, 3).join(', ');
    return keys.length > 3 ? `${names}, … (${keys.length} fields)` : names;
  }
  return data === undefined || data === null ? 'No data' : 'Data';
}

function PlanAsOf({ planId, revision, onClose }: { planId: string; revision: number; onClose: () => void }) {
  const snapshot = useQuery(planAtRevisionQuery(planId, revision));
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, [revision]);
  return (
    <section className="card history-asof-plan" aria-labelledby="history-asof-title">
      <div className="history-asof-head">
        <h3 id="history-asof-title" ref={heading} tabIndex={-1}>
          The plan as of revision {revision}
        </h3>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      {snapshot.isPending ? (
        <Busy label={`Loading revision ${revision}…`} />
      ) : snapshot.isError ? (
        <ErrorMessage
          error={snapshot.error}
          title={`Could not load revision ${revision}`}
          onRetry={() => void snapshot.refetch()}
        />
      ) : (
        <PlanSnapshot plan={snapshot.data} />
      )}
    </section>
  );
}

/** A read-only view of a plan: title, description, its chunks in order and their tasks. */
export function PlanSnapshot({ plan }: { plan: PlanDetail }) {
  return (
    <div className="history-snapshot">
      <p>
        <strong>{plan.title}</strong> <StatusBadge status={plan.status} />{' '}
        <span className="muted">
          {plan.chunks.length} {plan.chunks.length === 1 ? 'chunk' : 'chunks'}, {plan.stats.tasks}{' '}
          {plan.stats.tasks === 1 ? 'task' : 'tasks'}
        </span>
      </p>
      {plan.description ? <p className="history-text">{plan.description}</p> : null}
      {plan.chunks.map((chunk) => (
        <section key={chunk.key} aria-labelledby={`asof-${chunk.key}`} className="history-snapshot-chunk">
          <h4 id={`asof-${chunk.key}`}>{chunk.title}</h4>
          <p className="muted">
            {chunk.key} · {chunk.executionMode}
            {chunk.pauseAfter ? ' · pauses after' : ''}
          </p>
          {chunk.tasks.length ? (
            <ol>
              {chunk.tasks.map((t) => (
                <li key={t.id}>
                  <span>{t.title}</span> <StatusBadge status={t.status} />
                  {t.dependsOn.length ? (
                    <span className="muted"> · after {t.dependsOn.join(', ')}</span>
                  ) : null}
                  {t.description || t.acceptance.length ? (
                    <details>
                      <summary>Details</summary>
                      {t.description ? <p className="history-text">{t.description}</p> : null}
                      {t.acceptance.length ? (
                        <ul>
                          {t.acceptance.map((a, n) => (
                            <li key={n}>{a}</li>
                          ))}
                        </ul>
                      ) : null}
                    </details>
                  ) : null}
                </li>
              ))}
            </ol>
          ) : (
            <p className="muted">No tasks.</p>
          )}
        </section>
      ))}
    </div>
  );
}
