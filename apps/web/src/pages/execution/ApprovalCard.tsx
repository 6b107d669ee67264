import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Progress, Task } from '../../api/client';
import { planKeys } from '../../api/queries';
import { Busy } from '../../components/Busy';
import { ErrorMessage } from '../../components/ErrorMessage';
import { sessionApi, type TaskEdit } from './execution-api';
import type { ProgressTask } from './TaskDetail';
import { TaskEditForm } from './TaskEditForm';

type Decision = { kind: 'execute' } | { kind: 'skip' } | { kind: 'edit'; edit: TaskEdit };

/** The task a manual chunk waits on: named by the pause ("task T3 waits for approval: …"), else its first pending task. */
export function waitingTask(progress: Progress): ProgressTask | undefined {
  const named = /^task (\S+) waits for approval/.exec(progress.pauseDetail ?? '')?.[1];
  const byName = named ? progress.tasks.find((t) => t.id === named) : undefined;
  if (byName) return byName;
  const chunk = progress.currentChunk;
  return progress.tasks.find((t) => t.status === 'pending' && (chunk === null || t.chunk === chunk));
}

/**
 * A manual chunk waits for approval (the session is paused with reason `approval`): execute its
 * pending tasks, skip them, or edit the waiting task and execute it. Each approval is one
 * `POST /tasks/:taskId/approve`; the session continues by itself once the waiting task is decided.
 */
export function ApprovalCard({
  planId,
  chunkTitle,
  waiting,
  pending,
  planTask,
}: {
  planId: string;
  chunkTitle: string;
  waiting: ProgressTask;
  /** The chunk's pending tasks (the waiting one among them). */
  pending: ProgressTask[];
  planTask: Task | undefined;
}) {
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const decide = useMutation({
    mutationFn: async (d: Decision) => {
      if (d.kind === 'edit')
        return sessionApi.approve(
          planId,
          waiting.id,
          'execute',
          Object.keys(d.edit).length > 0 ? d.edit : undefined,
        );
      // The waiting task LAST. The session applies decisions at once only while it is paused; once the
      // waiting task is decided it runs on, and a later decision would wait for the running turn.
      const others = pending.filter((t) => t.id !== waiting.id);
      for (const t of [...others, waiting]) await sessionApi.approve(planId, t.id, d.kind);
    },
    onSuccess: () => setEditing(false),
    onSettled: () => queryClient.invalidateQueries({ queryKey: planKeys.plan(planId) }),
  });
  const busy = decide.isPending;
  return (
    <section className="card approval-card" aria-label={`Approval needed: ${chunkTitle}`}>
      <h3>Approval needed: {chunkTitle}</h3>
      <p>This chunk runs only what you approve. Waiting: {waiting.title}</p>
      {planTask?.description ? <p className="task-description">{planTask.description}</p> : null}
      {pending.length > 1 ? (
        <>
          <p>Pending tasks of the chunk:</p>
          <ol>
            {pending.map((t) => (
              <li key={t.id}>{t.title}</li>
            ))}
          </ol>
        </>
      ) : null}
      {editing ? (
        <TaskEditForm
          task={planTask ?? { title: waiting.title, description: '', acceptance: [] }}
          title={`Edit ${waiting.title} before it runs`}
          submitLabel="Save and execute"
          busy={busy}
          onSubmit={(edit) => decide.mutate({ kind: 'edit', edit })}
          onCancel={() => setEditing(false)}
        />
      ) : (
        <div className="actions">
          <button
            type="button"
            className="primary"
            disabled={busy}
            onClick={() => decide.mutate({ kind: 'execute' })}
          >
            Execute chunk
          </button>
          <button type="button" disabled={busy} onClick={() => decide.mutate({ kind: 'skip' })}>
            Skip chunk
          </button>
          <button type="button" disabled={busy} onClick={() => setEditing(true)}>
            Edit
          </button>
        </div>
      )}
      {busy ? <Busy label="Sending the approval…" /> : null}
      {decide.isError ? <ErrorMessage error={decide.error} title="The approval was refused" /> : null}
    </section>
  );
}
