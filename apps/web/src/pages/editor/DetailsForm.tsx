import { useState, type FormEvent } from 'react';
import type { ValidationIssue } from '../../api/errors';
import { IssueList } from './IssueList';

export interface DetailsValues {
  title: string;
  description: string;
  key: string;
}

/** Title and description of the plan or of a chunk (and, for a new chunk, its key). */
export function DetailsForm({
  name,
  initial,
  withKey,
  submitLabel,
  issues,
  changedTo,
  onSubmit,
  onCancel,
}: {
  /** What is edited ("Plan details", "Chunk Setup", "New chunk"), naming its problems. */
  name: string;
  initial: { title: string; description: string };
  /** A new chunk: its key may be given (default: from the title). */
  withKey?: boolean;
  submitLabel: string;
  issues?: ValidationIssue[];
  /** The revision the plan moved to by somebody else's change since the form opened. */
  changedTo?: number;
  onSubmit: (values: DetailsValues) => void;
  onCancel: () => void;
}) {
  const [title, setTitle] = useState(initial.title);
  const [description, setDescription] = useState(initial.description);
  const [key, setKey] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit({ title: title.trim(), description, key: key.trim() });
  };
  return (
    <form className="details-form card" onSubmit={submit}>
      <label>
        Title
        <input value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={500} autoFocus />
      </label>
      {withKey ? (
        <label>
          Key{' '}
          <span className="muted">(optional: letters, digits, “_”, “.”, “-”; default from the title)</span>
          <input
            value={key}
            onChange={(e) => setKey(e.target.value)}
            pattern="[A-Za-z0-9][A-Za-z0-9_.\-]*"
            maxLength={100}
          />
        </label>
      ) : null}
      <label>
        Description
        <textarea value={description} onChange={(e) => setDescription(e.target.value)} rows={3} />
      </label>
      <IssueList issues={issues} label={name} />
      {changedTo !== undefined ? (
        <p className="changed-note" role="status">
          The plan changed since you opened this form (it is now at revision {changedTo}); saving will ask
          whether to reload or to re-apply your edit.
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="primary" disabled={title.trim() === ''}>
          {submitLabel}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
