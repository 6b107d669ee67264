import type { DiffBody, FieldChanges } from './planning-api';
import { fieldLabel, Value, type Names } from './Value';

/** Field-by-field changes: each field with its value before and after, in words (not only colour). */
export function FieldChangeList({ changes, names }: { changes: FieldChanges; names?: Names }) {
  return (
    <dl className="field-changes">
      {Object.entries(changes).map(([field, change]) => (
        <div key={field} className="field-change">
          <dt>{fieldLabel(field)}</dt>
          <dd>
            <div className="before">
              <span className="change-label">Before:</span>{' '}
              <del>
                <Value field={field} value={change.from} names={names} />
              </del>
            </div>
            <div className="after">
              <span className="change-label">After:</span>{' '}
              <ins>
                <Value field={field} value={change.to} names={names} />
              </ins>
            </div>
          </dd>
        </div>
      ))}
    </dl>
  );
}

function Tag({ children }: { children: string }) {
  return <span className="diff-tag">{children}</span>;
}

const isEmpty = (d: DiffBody) =>
  Object.keys(d.details).length === 0 &&
  d.chunks.added.length + d.chunks.removed.length + d.chunks.changed.length === 0 &&
  !d.chunks.reordered &&
  d.tasks.added.length + d.tasks.removed.length + d.tasks.changed.length === 0;

/**
 * What changed between two revisions of a plan: chunks and tasks added, removed and changed (field by
 * field), and the plan's own details. Every entry says in words what happened to it; the colours of
 * .diff-added/.diff-removed/.diff-changed only repeat it.
 */
export function DiffView({ diff, names }: { diff: DiffBody; names?: Names }) {
  if (isEmpty(diff)) return <p className="muted">No changes between these revisions.</p>;
  // Added chunks and tasks are not in the current plan under their old names: name them from the diff.
  const addedChunks = new Map(diff.chunks.added.map((c) => [c.key, c.title]));
  const removedChunks = new Map(diff.chunks.removed.map((c) => [c.key, c.title]));
  const addedTasks = new Map(diff.tasks.added.map((t) => [t.id, t.title]));
  const removedTasks = new Map(diff.tasks.removed.map((t) => [t.id, t.title]));
  const allNames: Names = {
    chunk: (k) => names?.chunk?.(k) ?? addedChunks.get(k) ?? removedChunks.get(k),
    task: (id) => names?.task?.(id) ?? addedTasks.get(id) ?? removedTasks.get(id),
  };
  const chunkName = (key: string) => allNames.chunk?.(key) ?? key;
  const taskName = (id: string, changes?: FieldChanges) => {
    const title = changes?.title?.to;
    return typeof title === 'string' ? title : (allNames.task?.(id) ?? id);
  };
  const chunkCount =
    diff.chunks.added.length +
    diff.chunks.removed.length +
    diff.chunks.changed.length +
    (diff.chunks.reordered ? 1 : 0);
  const taskCount = diff.tasks.added.length + diff.tasks.removed.length + diff.tasks.changed.length;

  return (
    <div className="diff-view">
      <p className="diff-summary">
        {[
          diff.chunks.added.length && `${diff.chunks.added.length} chunk(s) added`,
          diff.chunks.removed.length && `${diff.chunks.removed.length} chunk(s) removed`,
          diff.chunks.changed.length && `${diff.chunks.changed.length} chunk(s) changed`,
          diff.chunks.reordered && 'chunks reordered',
          diff.tasks.added.length && `${diff.tasks.added.length} task(s) added`,
          diff.tasks.removed.length && `${diff.tasks.removed.length} task(s) removed`,
          diff.tasks.changed.length && `${diff.tasks.changed.length} task(s) changed`,
        ]
          .filter(Boolean)
          .join(', ') || 'Only the plan details changed'}
        .
      </p>

      {Object.keys(diff.details).length > 0 ? (
        <section className="diff-group">
          <h4>Plan details</h4>
          <div className="diff-entry diff-changed">
            <Tag>Changed</Tag> <strong>Plan details</strong>
            <FieldChangeList changes={diff.details} names={allNames} />
          </div>
        </section>
      ) : null}

      {chunkCount > 0 ? (
        <section className="diff-group">
          <h4>Chunks</h4>
          <ul className="diff-list">
            {diff.chunks.added.map((c) => (
              <li key={`a-${c.key}`} className="diff-entry diff-added">
                <Tag>Added chunk</Tag> <strong>{c.title}</strong> <span className="muted">({c.key})</span>
                {c.description ? <p className="value-text">{c.description}</p> : null}
              </li>
            ))}
            {diff.chunks.removed.map((c) => (
              <li key={`r-${c.key}`} className="diff-entry diff-removed">
                <Tag>Removed chunk</Tag> <strong>{c.title}</strong> <span className="muted">({c.key})</span>
              </li>
            ))}
            {diff.chunks.changed.map((c) => (
              <li key={`c-${c.key}`} className="diff-entry diff-changed">
                <Tag>Changed chunk</Tag> <strong>{chunkName(c.key)}</strong>{' '}
                <span className="muted">({c.key})</span>
                <FieldChangeList changes={c.changes} names={allNames} />
              </li>
            ))}
            {diff.chunks.reordered ? (
              <li className="diff-entry diff-changed">
                <Tag>Reordered</Tag> The chunks are in a different order.
              </li>
            ) : null}
          </ul>
        </section>
      ) : null}

      {taskCount > 0 ? (
        <section className="diff-group">
          <h4>Tasks</h4>
          <ul className="diff-list">
            {diff.tasks.added.map((t) => (
              <li key={`a-${t.id}`} className="diff-entry diff-added">
                <Tag>Added task</Tag> <strong>{t.title}</strong>{' '}
                <span className="muted">
                  ({t.id}, in {chunkName(t.chunk)})
                </span>
                {t.description ? <p className="value-text">{t.description}</p> : null}
              </li>
            ))}
            {diff.tasks.removed.map((t) => (
              <li key={`r-${t.id}`} className="diff-entry diff-removed">
                <Tag>Removed task</Tag> <strong>{t.title}</strong>{' '}
                <span className="muted">
                  ({t.id}, from {chunkName(t.chunk)})
                </span>
              </li>
            ))}
            {diff.tasks.changed.map((t) => (
              <li key={`c-${t.id}`} className="diff-entry diff-changed">
                <Tag>Changed task</Tag> <strong>{taskName(t.id, t.changes)}</strong>{' '}
                <span className="muted">({t.id})</span>
                <FieldChangeList changes={t.changes} names={allNames} />
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}
