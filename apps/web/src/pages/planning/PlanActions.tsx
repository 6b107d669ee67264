import { useId, useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { api, withRevision, type PlanDetail } from '../../api/client';
import { unwrap } from '../../api/errors';
import { planKeys } from '../../api/queries';
import { Busy } from '../../components/Busy';
import { ErrorMessage } from '../../components/ErrorMessage';
import { WriteError } from './WriteError';

const REOPENABLE = new Set(['ready', 'completed', 'failed', 'cancelled']);

/**
 * Ending the planning loop: Finalize (freeze the revision), Finalize and execute (then start a
 * session with the plan's own execution settings and go to the run tab), or Reopen a finalized plan.
 */
export function PlanActions({ plan }: { plan: Pick<PlanDetail, 'id' | 'revision' | 'status'> }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const ids = useId();
  const [reason, setReason] = useState('');
  // The status changes without a new revision; the plan (never cached by the browser: no-store) is refetched.
  const refresh = () => queryClient.invalidateQueries({ queryKey: planKeys.plan(plan.id) });

  const finalize = async (revision: number) =>
    unwrap(
      await api.POST('/api/plans/{id}/finalize', {
        params: { path: { id: plan.id } },
        headers: withRevision(revision),
        body: {},
      }),
    );

  const finalizeOnly = useMutation({
    mutationFn: (v: { revision: number }) => finalize(v.revision),
    onSuccess: refresh,
  });

  // Two writes: when the second fails the plan is finalized all the same, and the error says so.
  const [startError, setStartError] = useState<unknown>(null);
  const finalizeAndExecute = useMutation({
    mutationFn: async (v: { revision: number }) => {
      const done = await finalize(v.revision);
      try {
        return unwrap(
          await api.POST('/api/plans/{id}/execute', {
            params: { path: { id: plan.id } },
            headers: withRevision(done.revision),
            body: {},
          }),
        );
      } catch (e) {
        setStartError(e);
        return null;
      }
    },
    onMutate: () => setStartError(null),
    onSuccess: async (session) => {
      // Finalized either way; the run tab opens with the new status when the session started.
      await refresh();
      if (session) void navigate(`/plans/${encodeURIComponent(plan.id)}/run`);
    },
  });

  const reopen = useMutation({
    mutationFn: async (v: { revision: number; reason: string }) =>
      unwrap(
        await api.POST('/api/plans/{id}/reopen', {
          params: { path: { id: plan.id } },
          headers: withRevision(v.revision),
          body: v.reason ? { reason: v.reason } : {},
        }),
      ),
    onSuccess: async () => {
      setReason('');
      await refresh();
    },
  });

  const busy = finalizeOnly.isPending || finalizeAndExecute.isPending || reopen.isPending;
  const base = { revision: plan.revision };

  return (
    <div className="plan-actions">
      {plan.status === 'draft' ? (
        <>
          <p className="muted">
            Finalizing freezes revision {plan.revision}: planning turns and edits stop until you reopen it.
          </p>
          <div className="actions">
            <button type="button" onClick={() => finalizeOnly.mutate(base)} disabled={busy}>
              Finalize
            </button>
            <button
              type="button"
              className="primary"
              onClick={() => finalizeAndExecute.mutate(base)}
              disabled={busy}
            >
              Finalize and execute
            </button>
          </div>
        </>
      ) : null}
      {REOPENABLE.has(plan.status) ? (
        <>
          <p className="muted">
            {plan.status === 'ready'
              ? `Revision ${plan.revision} is finalized. `
              : `The plan is ${plan.status}. `}
            Reopen it to plan more (the next revision starts as a draft).
          </p>
          <label htmlFor={`${ids}-reason`}>Reason for reopening (optional)</label>
          <input id={`${ids}-reason`} value={reason} onChange={(e) => setReason(e.target.value)} />
          <div className="actions">
            <button
              type="button"
              onClick={() => reopen.mutate({ revision: plan.revision, reason: reason.trim() })}
              disabled={busy}
            >
              Reopen
            </button>
            {plan.status === 'ready' ? (
              <Link to={`/plans/${encodeURIComponent(plan.id)}/run`}>Go to execution</Link>
            ) : null}
          </div>
        </>
      ) : null}
      {plan.status === 'running' || plan.status === 'paused' ? (
        <p>
          The plan is {plan.status}: planning is closed while it executes.{' '}
          <Link to={`/plans/${encodeURIComponent(plan.id)}/run`}>Follow the run</Link>
        </p>
      ) : null}

      {finalizeOnly.isPending ? <Busy label={`Finalizing revision ${plan.revision}…`} /> : null}
      {finalizeAndExecute.isPending ? <Busy label="Finalizing and starting execution…" /> : null}
      {reopen.isPending ? <Busy label="Reopening the plan…" /> : null}
      {finalizeOnly.isSuccess && plan.status === 'ready' ? (
        <p role="status">Revision {finalizeOnly.data.revision} is finalized.</p>
      ) : null}

      <WriteError
        error={finalizeOnly.error}
        planId={plan.id}
        basedOn={finalizeOnly.variables?.revision}
        action="Finalizing"
        onDismiss={() => finalizeOnly.reset()}
      />
      <WriteError
        error={finalizeAndExecute.error}
        planId={plan.id}
        basedOn={finalizeAndExecute.variables?.revision}
        action="Finalizing"
        onDismiss={() => finalizeAndExecute.reset()}
      />
      {startError ? (
        <ErrorMessage error={startError} title="The plan is finalized, but execution did not start" />
      ) : null}
      <WriteError
        error={reopen.error}
        planId={plan.id}
        basedOn={reopen.variables?.revision}
        action="Reopening"
        onDismiss={() => reopen.reset()}
      />
    </div>
  );
}
