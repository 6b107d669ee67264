import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, withRevision } from '../../api/client';
import { unwrap } from '../../api/errors';
import { planKeys } from '../../api/queries';
import { Busy } from '../../components/Busy';
import { FieldChangeList } from './DiffView';
import { REVIEW_TYPES, type Suggestion, type SuggestionSet, type Turn } from './planning-api';
import { suggestionTitle } from './suggestion-text';
import { fieldLabel, Value, type Names } from './Value';
import { WriteError } from './WriteError';

function Fields({ fields, names }: { fields: Record<string, unknown>; names?: Names }) {
  const present = Object.entries(fields).filter(([, v]) => v !== undefined);
  if (present.length === 0) return <p className="muted">(no fields)</p>;
  return (
    <dl className="fields">
      {present.map(([k, v]) => (
        <div key={k}>
          <dt>{fieldLabel(k)}</dt>
          <dd>
            <Value field={k} value={v} names={names} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

function BeforeAfter({ before, after }: { before: ReactNode; after: ReactNode }) {
  return (
    <div className="before-after">
      <div className="before">
        <p className="change-label">Before</p>
        {before}
      </div>
      <div className="after">
        <p className="change-label">After</p>
        {after}
      </div>
    </div>
  );
}

function TaskList({ tasks }: { tasks: Array<{ id: string; title: string; description?: string }> }) {
  return (
    <ol className="proposed-tasks">
      {tasks.map((t) => (
        <li key={t.id}>
          <strong>{t.title}</strong> <span className="muted">({t.id})</span>
          {t.description ? <p className="value-text">{t.description}</p> : null}
        </li>
      ))}
      {tasks.length === 0 ? <li className="muted">(no tasks)</li> : null}
    </ol>
  );
}

/** What a suggestion would change: the state before and after, in words. */
export function SuggestionChange({ s, names }: { s: Suggestion; names?: Names }) {
  const nothing = (what: string) => <p className="muted">Nothing yet ({what})</p>;
  switch (s.kind) {
    case 'add_task':
      return (
        <BeforeAfter before={nothing('new task')} after={<Fields fields={s.after.task} names={names} />} />
      );
    case 'modify_task': {
      const changes = Object.fromEntries(
        Object.entries(s.after)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => [k, { from: (s.before as Record<string, unknown>)[k], to: v }]),
      );
      return <FieldChangeList changes={changes} names={names} />;
    }
    case 'remove_task':
      return (
        <BeforeAfter
          before={<Fields fields={s.before} names={names} />}
          after={<p>The task is removed.</p>}
        />
      );
    case 'reorder': {
      const field = s.chunkKey === null ? 'chunk' : 'task';
      const list = (ids: string[]) => (
        <ol className="value-list">
          {ids.map((id) => (
            <li key={id}>
              <Value field={field} value={id} names={names} />
            </li>
          ))}
        </ol>
      );
      return <BeforeAfter before={list(s.before)} after={list(s.after)} />;
    }
    case 'add_chunk':
      return (
        <BeforeAfter
          before={nothing('new chunk')}
          after={
            <>
              <Fields fields={s.after.chunk} names={names} />
              <p className="change-label">Its tasks</p>
              <TaskList tasks={s.after.tasks} />
            </>
          }
        />
      );
    case 'break_down_task':
      return (
        <BeforeAfter
          before={<Fields fields={s.before} names={names} />}
          after={
            <>
              <p>Replaced by {s.after.tasks.length} tasks:</p>
              <TaskList tasks={s.after.tasks} />
            </>
          }
        />
      );
  }
}

/**
 * A review's suggestions, each with its reasoning and before/after; the user checks the ones to
 * apply, and only those are sent (as one new revision, based on the revision on screen).
 */
export function SuggestionPicker({
  planId,
  revision,
  set,
  names,
  onApplied,
}: {
  planId: string;
  /** The plan's current revision: the apply is based on it (If-Match). */
  revision: number;
  set: SuggestionSet;
  names?: Names;
  onApplied?: (turn: Turn) => void;
}) {
  const queryClient = useQueryClient();
  const ids = useId();
  const [checked, setChecked] = useState<ReadonlySet<string>>(() => new Set());
  const [none, setNone] = useState(false);
  const [applied, setApplied] = useState<{ count: number; revision: number } | null>(null);
  const open = set.suggestions.filter((s) => !set.applied.includes(s.id));

  const apply = useMutation({
    mutationFn: async (v: { ids: string[]; revision: number }) =>
      unwrap(
        await api.POST('/api/plans/{id}/suggestions/{setId}/apply', {
          params: { path: { id: planId, setId: set.setId } },
          headers: withRevision(v.revision),
          body: { ids: v.ids },
        }),
      ),
    onSuccess: async (result, v) => {
      setChecked(new Set());
      setApplied({ count: v.ids.length, revision: result.revision });
      await queryClient.invalidateQueries({ queryKey: planKeys.plan(planId) });
      onApplied?.({ from: v.revision, to: result.revision });
    },
  });

  const toggle = (id: string, on: boolean) => {
    setNone(false);
    setChecked((prev) => {
      const next = new Set(prev);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (apply.isPending) return;
    // In the set's order: later suggestions may build on earlier ones.
    const chosen = set.suggestions.filter((s) => checked.has(s.id) && !set.applied.includes(s.id));
    if (chosen.length === 0) {
      setNone(true);
      return;
    }
    setApplied(null);
    apply.mutate({ ids: chosen.map((s) => s.id), revision });
  };

  const typeLabel = REVIEW_TYPES.find((t) => t.value === set.reviewType)?.label ?? set.reviewType;
  const scopeText =
    set.scope === 'all'
      ? 'the whole plan'
      : set.scope === 'chunk'
        ? `chunk ${names?.chunk?.(set.targetId ?? '') ?? set.targetId}`
        : `task ${names?.task?.(set.targetId ?? '') ?? set.targetId}`;

  return (
    <form className="suggestions" onSubmit={submit} noValidate aria-busy={apply.isPending}>
      <p>
        {typeLabel} review of {scopeText}, made against revision {set.revision}:{' '}
        {set.suggestions.length === 0
          ? 'no suggestions — the reviewer found nothing to change.'
          : `${set.suggestions.length} suggestion(s), ${set.applied.length} applied.`}
      </p>
      {set.revision !== revision ? (
        <p className="note">
          The plan is now at revision {revision}. Suggestions whose task or order changed since revision{' '}
          {set.revision} will be refused; the others still apply.
        </p>
      ) : null}
      {set.suggestions.length > 0 ? (
        <fieldset>
          <legend>Choose the suggestions to apply</legend>
          <ul className="suggestion-list">
            {set.suggestions.map((s) => {
              const done = set.applied.includes(s.id);
              const id = `${ids}-${s.id}`;
              return (
                <li key={s.id} className={`suggestion card${done ? ' applied' : ''}`}>
                  <div className="suggestion-head">
                    <input
                      id={id}
                      type="checkbox"
                      checked={!done && checked.has(s.id)}
                      disabled={done || apply.isPending}
                      onChange={(e) => toggle(s.id, e.target.checked)}
                      aria-describedby={`${id}-why`}
                    />
                    <label htmlFor={id}>{suggestionTitle(s, names)}</label>
                    {done ? <span className="badge badge-completed">Applied</span> : null}
                  </div>
                  <p id={`${id}-why`} className="reasoning">
                    <strong>Why: </strong>
                    {s.reasoning || <span className="muted">(no reasoning given)</span>}
                  </p>
                  <SuggestionChange s={s} names={names} />
                </li>
              );
            })}
          </ul>
        </fieldset>
      ) : null}
      {open.length > 0 ? (
        <div className="actions">
          <button type="submit" className="primary" disabled={apply.isPending}>
            Apply selected suggestions
          </button>
          <button
            type="button"
            onClick={() => {
              setNone(false);
              setChecked(new Set(open.map((s) => s.id)));
            }}
            disabled={apply.isPending}
          >
            Select all
          </button>
          <button type="button" onClick={() => setChecked(new Set())} disabled={apply.isPending}>
            Select none
          </button>
        </div>
      ) : null}
      {none ? (
        <p className="field-error" role="alert">
          Choose at least one suggestion to apply.
        </p>
      ) : null}
      {apply.isPending ? <Busy label={`Applying ${apply.variables.ids.length} suggestion(s)…`} /> : null}
      {applied ? (
        <p role="status">
          Applied {applied.count} suggestion(s): the plan is now at revision {applied.revision}.
        </p>
      ) : null}
      <WriteError
        error={apply.error}
        planId={planId}
        basedOn={apply.variables?.revision}
        action="Applying the suggestions"
        onDismiss={() => apply.reset()}
      />
    </form>
  );
}
