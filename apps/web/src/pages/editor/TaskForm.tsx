import { useId, useState, type FormEvent } from 'react';
import type { PlanDetail, Task } from '../../api/client';
import type { ValidationIssue } from '../../api/errors';
import { IssueList } from './IssueList';
import { linesOf } from './plan-edits';

export interface TaskValues {
  title: string;
  description: string;
  acceptance: string[];
  dependsOn: string[];
  chunk: string;
}

/**
 * The form of one task (an existing one, or a new one in `chunkKey`): title, description, acceptance
 * criteria, the chunk it belongs to and the tasks it depends on.
 */
export function TaskForm({
  plan,
  task,
  chunkKey,
  issues,
  changedTo,
  onSubmit,
  onCancel,
}: {
  plan: PlanDetail;
  task?: Task;
  chunkKey: string;
  issues?: ValidationIssue[];
  /** The revision the plan moved to by somebody else's change since the form opened. */
  changedTo?: number;
  onSubmit: (values: TaskValues) => void;
  onCancel: () => void;
}) {
  const id = useId();
  const [title, setTitle] = useState(task?.title ?? '');
  const [description, setDescription] = useState(task?.description ?? '');
  const [acceptance, setAcceptance] = useState((task?.acceptance ?? []).join('\n'));
  const [dependsOn, setDependsOn] = useState<string[]>(task?.dependsOn ?? []);
  const [chunk, setChunk] = useState(task?.chunk ?? chunkKey);
  const chunkIndex = plan.chunks.findIndex((c) => c.key === chunk);
  const known = new Set(plan.chunks.flatMap((c) => c.tasks.map((t) => t.id)));
  // Dependencies the plan no longer holds stay visible, so that they can be removed.
  const unknown = dependsOn.filter((d) => !known.has(d));
  const titleMissing = title.trim() === '';

  const toggle = (taskId: string, on: boolean) =>
    setDependsOn((deps) => (on ? [...deps, taskId] : deps.filter((d) => d !== taskId)));

  function submit(e: FormEvent) {
    e.preventDefault();
    onSubmit({ title: title.trim(), description, acceptance: linesOf(acceptance), dependsOn, chunk });
  }

  return (
    <form className="task-form card" onSubmit={submit}>
      <label>
        Title
        <input
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          required
          maxLength={500}
          aria-invalid={titleMissing || undefined}
          autoFocus
        />
      </label>
      <label>
        Description
        <textarea value={description} onChange={(e) => setDescription(e.target.value)} rows={4} />
      </label>
      <label>
        Acceptance criteria (one per line)
        <textarea value={acceptance} onChange={(e) => setAcceptance(e.target.value)} rows={3} />
      </label>
      {task ? (
        <label>
          Move to chunk
          <select value={chunk} onChange={(e) => setChunk(e.target.value)}>
            {plan.chunks.map((c) => (
              <option key={c.key} value={c.key}>
                {c.title}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      <fieldset className="depends-on">
        <legend>Depends on</legend>
        {plan.chunks.map((c, ci) => {
          const others = c.tasks.filter((t) => t.id !== task?.id);
          if (others.length === 0) return null;
          const later = chunkIndex >= 0 && ci > chunkIndex;
          return (
            <div key={c.key} className="dep-group">
              <p className="dep-chunk">
                {c.title}
                {later ? <span className="muted"> (a later chunk: not allowed at finalize)</span> : null}
              </p>
              {others.map((t) => (
                <label key={t.id} className="check">
                  <input
                    type="checkbox"
                    checked={dependsOn.includes(t.id)}
                    onChange={(e) => toggle(t.id, e.target.checked)}
                    aria-describedby={later ? `${id}-later` : undefined}
                  />
                  {t.title}
                </label>
              ))}
            </div>
          );
        })}
        {unknown.map((d) => (
          <label key={d} className="check">
            <input type="checkbox" checked onChange={() => toggle(d, false)} />
            {d} (not in the plan)
          </label>
        ))}
        {known.size <= (task ? 1 : 0) ? <p className="muted">No other tasks yet.</p> : null}
        <span id={`${id}-later`} hidden>
          This task is in a later chunk; a task may only depend on tasks of its own or earlier chunks.
        </span>
      </fieldset>
      <IssueList issues={issues} label={task ? task.title : 'the new task'} />
      {changedTo !== undefined ? (
        <p className="changed-note" role="status">
          The plan changed since you opened this form (it is now at revision {changedTo}); saving will ask
          whether to reload or to re-apply your edit.
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="primary" disabled={titleMissing}>
          Save task
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
