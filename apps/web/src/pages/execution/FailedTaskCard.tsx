import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Task } from '../../api/client';
import { planKeys } from '../../api/queries';
import { Busy } from '../../components/Busy';
import { ErrorMessage } from '../../components/ErrorMessage';
import { ConfirmButton } from './ConfirmButton';
import { sessionApi, type TaskEdit } from './execution-api';
import type { ProgressTask } from './TaskDetail';
import { TaskEditForm } from './TaskEditForm';

type Decision =
  { kind: 'retry'; edit?: TaskEdit } | { kind: 'skip' } | { kind: 'complete' } | { kind: 'cancel' };

const BUSY: Record<Decision['kind'], string> = {
  retry: 'Retrying the task…',
  skip: 'Skipping the task…',
  complete: 'Running the QA gates on your fix…',
  cancel: 'Cancelling the plan…',
};

/**
 * A task that ran out of attempts: the session waits for a decision. Retry (optionally after an edit
 * of its title, description and acceptance criteria — sent with the retry, one request), Skip, Mark
 * complete (after a fix by hand: the QA gates decide) or Cancel plan.
 */
export function FailedTaskCard({
  planId,
  task,
  planTask,
  children,
}: {
  planId: string;
  task: ProgressTask;
  planTask: Task | undefined;
  children?: React.ReactNode;
}) {
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const decide = useMutation({
    mutationFn: async (d: Decision) => {
      switch (d.kind) {
        case 'retry':
          return sessionApi.retry(
            planId,
            task.id,
            d.edit && Object.keys(d.edit).length > 0 ? d.edit : undefined,
          );
        case 'skip':
          return sessionApi.skip(planId, task.id);
        case 'complete':
          return sessionApi.complete(planId, task.id);
        case 'cancel':
          return sessionApi.cancel(planId);
      }
    },
    onSuccess: () => setEditing(false),
    onSettled: () => queryClient.invalidateQueries({ queryKey: planKeys.plan(planId) }),
  });
  const busy = decide.isPending;
  return (
    <section className="card failed-card" aria-label={`Task failed: ${task.title}`}>
      <h3>Task failed: {task.title}</h3>
      <p>The task ran out of attempts ({task.attempts}); the session waits for your decision.</p>
      {children}
      {editing ? (
        <TaskEditForm
          task={planTask ?? { title: task.title, description: '', acceptance: [] }}
          title={`Edit ${task.title} before retrying`}
          submitLabel="Save and retry"
          busy={busy}
          onSubmit={(edit) => decide.mutate({ kind: 'retry', edit })}
          onCancel={() => setEditing(false)}
        />
      ) : (
        <div className="actions">
          <button
            type="button"
            className="primary"
            disabled={busy}
            onClick={() => decide.mutate({ kind: 'retry' })}
          >
            Retry
          </button>
          <button type="button" disabled={busy} onClick={() => setEditing(true)}>
            Edit and retry
          </button>
          <button type="button" disabled={busy} onClick={() => decide.mutate({ kind: 'skip' })}>
            Skip
          </button>
          <button type="button" disabled={busy} onClick={() => decide.mutate({ kind: 'complete' })}>
            Mark complete
          </button>
          <ConfirmButton
            label="Cancel plan"
            className="danger"
            question="Cancel this plan’s execution?"
            detail="Running turns are cancelled now and the plan ends cancelled. This cannot be resumed."
            confirmLabel="Yes, cancel"
            disabled={busy}
            onConfirm={() => decide.mutate({ kind: 'cancel' })}
          />
        </div>
      )}
      {busy && decide.variables ? <Busy label={BUSY[decide.variables.kind]} /> : null}
      {decide.isError ? <ErrorMessage error={decide.error} title="The decision was refused" /> : null}
    </section>
  );
}
