import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Busy } from '../../components/Busy';
import { ErrorMessage } from '../../components/ErrorMessage';
import { llmCallsQuery, usageQuery, type LlmCall, type PlanUsage } from './planning-api';

const int = new Intl.NumberFormat('en-US');
export const formatTokens = (n: number) => int.format(n);
export const formatCost = (usd: number) =>
  `$${usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: usd < 1 ? 4 : 2 })}`;

const PURPOSE_WORDS: Record<string, string> = {
  generate: 'Generate the plan',
  review: 'Review',
  'refine-single': 'Quick edit',
  'refine-draft': 'Planning drafts',
  'refine-judge': 'Judge the drafts',
};
/** A purpose as the API names it (generate, review, refine-draft…), in words. */
export const purposeLabel = (purpose: string) => PURPOSE_WORDS[purpose] ?? purpose;

/** The tokens and estimated cost of every LLM call made for the plan: in total and per purpose. */
export function UsageView({ usage }: { usage: PlanUsage }) {
  const purposes = Object.entries(usage.byPurpose).sort((a, b) => b[1].costUsd - a[1].costUsd);
  return (
    <>
      <dl className="usage-totals">
        <div>
          <dt>Calls</dt>
          <dd>{formatTokens(usage.calls)}</dd>
        </div>
        <div>
          <dt>Input tokens</dt>
          <dd>{formatTokens(usage.inputTokens)}</dd>
        </div>
        <div>
          <dt>Output tokens</dt>
          <dd>{formatTokens(usage.outputTokens)}</dd>
        </div>
        <div>
          <dt>Cache tokens (written / read)</dt>
          <dd>
            {formatTokens(usage.cacheCreationInputTokens)} / {formatTokens(usage.cacheReadInputTokens)}
          </dd>
        </div>
        <div>
          <dt>Estimated cost</dt>
          <dd>{formatCost(usage.costUsd)}</dd>
        </div>
      </dl>
      {purposes.length > 0 ? (
        <div className="table-wrap" role="region" aria-label="Usage by call purpose" tabIndex={0}>
          <table>
            <caption>Usage by call purpose</caption>
            <thead>
              <tr>
                <th scope="col">Purpose</th>
                <th scope="col">Calls</th>
                <th scope="col">Tokens in / out</th>
                <th scope="col">Cost</th>
              </tr>
            </thead>
            <tbody>
              {purposes.map(([purpose, u]) => (
                <tr key={purpose}>
                  <th scope="row" title={purpose}>
                    {purposeLabel(purpose)}
                  </th>
                  <td>{formatTokens(u.calls)}</td>
                  <td>
                    {formatTokens(u.inputTokens)} / {formatTokens(u.outputTokens)}
                  </td>
                  <td>{formatCost(u.costUsd)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="muted">No LLM calls yet.</p>
      )}
    </>
  );
}

/** Every call, one row each: when (revision), what for, which model, tokens, cost and time. */
export function CallsTable({ calls }: { calls: LlmCall[] }) {
  if (calls.length === 0) return <p className="muted">No LLM calls yet.</p>;
  return (
    <div className="table-wrap" role="region" aria-label="LLM calls" tabIndex={0}>
      <table>
        <caption>LLM calls</caption>
        <thead>
          <tr>
            <th scope="col">Revision</th>
            <th scope="col">Purpose</th>
            <th scope="col">Model</th>
            <th scope="col">Input tokens</th>
            <th scope="col">Output tokens</th>
            <th scope="col">Cost</th>
            <th scope="col">Time</th>
          </tr>
        </thead>
        <tbody>
          {calls.map((c) => (
            <tr key={c.callId}>
              <td>{c.revision}</td>
              <th scope="row">
                {purposeLabel(c.purpose)}
                {c.repaired ? <span className="muted"> (repaired)</span> : null}
              </th>
              <td>{c.model}</td>
              <td>{formatTokens(c.usage.inputTokens)}</td>
              <td>{formatTokens(c.usage.outputTokens)}</td>
              <td>{formatCost(c.costUsd)}</td>
              <td>{(c.durationMs / 1000).toFixed(1)} s</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Calls({ planId }: { planId: string }) {
  const calls = useQuery(llmCallsQuery(planId));
  if (calls.isPending) return <Busy label="Loading the calls…" />;
  if (calls.isError)
    return (
      <ErrorMessage
        error={calls.error}
        title="Could not load the calls"
        onRetry={() => void calls.refetch()}
      />
    );
  return <CallsTable calls={calls.data} />;
}

export function UsagePanel({ planId }: { planId: string }) {
  const usage = useQuery(usageQuery(planId));
  // The calls come from the plan's events (possibly many): read only when asked for.
  const [showCalls, setShowCalls] = useState(false);
  if (usage.isPending) return <Busy label="Loading the usage…" />;
  if (usage.isError)
    return (
      <ErrorMessage
        error={usage.error}
        title="Could not load the usage"
        onRetry={() => void usage.refetch()}
      />
    );
  return (
    <>
      <UsageView usage={usage.data} />
      {usage.data.calls > 0 ? (
        <details className="calls" onToggle={(e) => setShowCalls(e.currentTarget.open)}>
          <summary>Every call ({usage.data.calls})</summary>
          {showCalls ? <Calls planId={planId} /> : null}
        </details>
      ) : null}
    </>
  );
}
