import { useMutation, useQueryClient } from '@tanstack/react-query';
import { planKeys } from '../../api/queries';
import { ErrorMessage } from '../../components/ErrorMessage';
import { ConfirmButton } from './ConfirmButton';
import { sessionApi, type RollbackResult } from './execution-api';
import { shortSha } from './session-log';

/**
 * Undo the plan's latest session (docs/rollback.md): asks first, then shows what was undone per
 * repository, or the API's message (a conflict changes nothing and names the commit and files).
 */
export function RollbackControl({ planId }: { planId: string }) {
  const queryClient = useQueryClient();
  const rollback = useMutation({
    mutationFn: () => sessionApi.rollback(planId),
    onSettled: () => queryClient.invalidateQueries({ queryKey: planKeys.plan(planId) }),
  });
  return (
    <div className="rollback-control">
      <ConfirmButton
        label="Roll back session"
        className="danger"
        question="Roll back this session?"
        detail="Its commits are undone on the session branch of each repository (reset to the start when nothing else is on it, else reverted); its tasks go back to pending. A conflict changes nothing."
        confirmLabel="Yes, roll back"
        disabled={rollback.isPending}
        onConfirm={() => rollback.mutate()}
      />
      {rollback.isPending ? <p aria-live="polite">Rolling back…</p> : null}
      <ErrorMessage error={rollback.error} title="Rollback refused" />
      {rollback.data ? <RollbackSummary result={rollback.data} /> : null}
    </div>
  );
}

function RollbackSummary({ result }: { result: RollbackResult }) {
  if (result.status === 'running')
    return <p aria-live="polite">The rollback is still running; its result will appear in the history.</p>;
  const outcome = result.outcome;
  if (!outcome) return null;
  return (
    <div aria-live="polite">
      <p>
        Rolled back: {outcome.tasks.length} {outcome.tasks.length === 1 ? 'task is' : 'tasks are'} pending
        again.
      </p>
      <ul aria-label="Rolled back per repository">
        {outcome.results.map((r) => (
          <li key={`${r.repository ?? ''}-${r.branch}`}>
            <code>{r.repository ?? 'plan repository'}</code>:{' '}
            {r.method === 'reset' ? 'reset to' : 'reverted to'} <code>{shortSha(r.newHead)}</code> (
            {r.reverted.length} {r.reverted.length === 1 ? 'commit' : 'commits'} undone)
          </li>
        ))}
      </ul>
    </div>
  );
}
