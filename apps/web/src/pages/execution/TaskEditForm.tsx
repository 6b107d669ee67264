import { useId, useState } from 'react';
import type { Task } from '../../api/client';
import type { TaskEdit } from './execution-api';

/** Title / description / acceptance of a session task; submits only what changed. */
export function TaskEditForm({
  task,
  title,
  submitLabel,
  busy,
  onSubmit,
  onCancel,
}: {
  task: Pick<Task, 'title' | 'description' | 'acceptance'>;
  title: string;
  submitLabel: string;
  busy: boolean;
  onSubmit: (edit: TaskEdit) => void;
  onCancel: () => void;
}) {
  const [form, setForm] = useState({
    title: task.title,
    description: task.description,
    acceptance: task.acceptance.join('\n'),
  });
  const [problem, setProblem] = useState<string | null>(null);
  const id = useId();
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (!form.title.trim()) {
      setProblem('The title cannot be empty');
      return;
    }
    setProblem(null);
    const acceptance = form.acceptance
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    const edit: TaskEdit = {};
    if (form.title.trim() !== task.title) edit.title = form.title.trim();
    if (form.description !== task.description) edit.description = form.description;
    if (acceptance.join('\n') !== task.acceptance.join('\n')) edit.acceptance = acceptance;
    onSubmit(edit);
  };
  return (
    <form className="task-edit" onSubmit={submit} aria-labelledby={`${id}-legend`} noValidate>
      <h4 id={`${id}-legend`}>{title}</h4>
      <label htmlFor={`${id}-title`}>Title</label>
      <input
        id={`${id}-title`}
        value={form.title}
        required
        maxLength={500}
        aria-invalid={problem ? true : undefined}
        aria-describedby={problem ? `${id}-problem` : undefined}
        onChange={(e) => setForm({ ...form, title: e.target.value })}
      />
      {problem ? (
        <p id={`${id}-problem`} className="field-error">
          {problem}
        </p>
      ) : null}
      <label htmlFor={`${id}-description`}>Description</label>
      <textarea
        id={`${id}-description`}
        rows={4}
        value={form.description}
        onChange={(e) => setForm({ ...form, description: e.target.value })}
      />
      <label htmlFor={`${id}-acceptance`}>Acceptance criteria (one per line)</label>
      <textarea
        id={`${id}-acceptance`}
        rows={3}
        value={form.acceptance}
        onChange={(e) => setForm({ ...form, acceptance: e.target.value })}
      />
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {submitLabel}
        </button>
        <button type="button" onClick={onCancel} disabled={busy}>
          Back
        </button>
      </div>
    </form>
  );
}
