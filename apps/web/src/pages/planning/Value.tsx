/** Names to show instead of raw task ids and chunk keys (unknown ones show as they are). */
export interface Names {
  task?: (id: string) => string | undefined;
  chunk?: (key: string) => string | undefined;
}

const FIELD_LABELS: Record<string, string> = {
  id: 'Id',
  key: 'Key',
  title: 'Title',
  description: 'Description',
  acceptance: 'Acceptance criteria',
  dependsOn: 'Depends on',
  canRunInParallel: 'Can run in parallel',
  status: 'Status',
  labels: 'Labels',
  optional: 'Optional',
  cancelled: 'Cancelled',
  chunk: 'Chunk',
  executionMode: 'Execution mode',
  pauseAfter: 'Pause after this chunk',
  repository: 'Repository',
  execution: 'Execution settings',
};

/** The words for a field of a plan, a chunk or a task. */
export const fieldLabel = (field: string) => FIELD_LABELS[field] ?? field;

const nameOf = (field: string, value: string, names?: Names) => {
  if (field === 'dependsOn' || field === 'task') return names?.task?.(value) ?? value;
  if (field === 'chunk') return names?.chunk?.(value) ?? value;
  return value;
};

/** One field value as text: lists as lists, booleans as yes/no, nothing as "(none)". */
export function Value({ field, value, names }: { field: string; value: unknown; names?: Names }) {
  if (value === null || value === undefined) return <span className="muted">(none)</span>;
  if (typeof value === 'boolean') return <span>{value ? 'yes' : 'no'}</span>;
  if (typeof value === 'string') {
    if (value === '') return <span className="muted">(empty)</span>;
    return <span className="value-text">{nameOf(field, value, names)}</span>;
  }
  if (typeof value === 'number') return <span>{value}</span>;
  if (Array.isArray(value)) {
    if (value.length === 0) return <span className="muted">(none)</span>;
    return (
      <ul className="value-list">
        {value.map((item, i) => (
          <li key={i}>
            {typeof item === 'string' ? (
              <span className="value-text">{nameOf(field, item, names)}</span>
            ) : (
              <Value field={field} value={item} names={names} />
            )}
          </li>
        ))}
      </ul>
    );
  }
  return <pre className="value-json">{JSON.stringify(value, null, 2)}</pre>;
}
