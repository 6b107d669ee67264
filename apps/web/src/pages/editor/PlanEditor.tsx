import { closestCenter, DndContext, type DragEndEvent } from '@dnd-kit/core';
import { SortableContext, verticalListSortingStrategy } from '@dnd-kit/sortable';
import { Link } from 'react-router';
import type { PlanDetail } from '../../api/client';
import { ApiError } from '../../api/errors';
import { Busy } from '../../components/Busy';
import { ErrorMessage } from '../../components/ErrorMessage';
import { ChunkSection } from './ChunkSection';
import { DetailsForm } from './DetailsForm';
import { announcementsFor, screenReaderInstructions, useEditorSensors } from './dnd';
import { openerId, useEditorActions, type EditorActions } from './editor-actions';
import { IssueList } from './IssueList';
import { place } from './plan-edits';
import './editor.css';

/**
 * The plan editor: details, chunks and tasks of a draft plan, every write based on the revision shown
 * (a stale one becomes a conflict to resolve, never an overwrite), and every problem of the plan next
 * to the task or chunk it concerns. Finalized plans are shown read-only.
 */
export function PlanEditor({ plan }: { plan: PlanDetail }) {
  const editor = useEditorActions(plan);
  const { writes, editable, editing } = editor;
  const sensors = useEditorSensors();
  const keys = plan.chunks.map((c) => c.key);
  const chunkTitle = (key: string) => plan.chunks.find((c) => c.key === key)?.title ?? key;

  const onDragEnd = ({ active, over }: DragEndEvent) => {
    if (!over || active.id === over.id) return;
    const chunk = plan.chunks.find((c) => c.key === active.id);
    const to = keys.indexOf(String(over.id));
    if (chunk && to >= 0) editor.moveChunk(chunk, to, 'drag');
  };

  return (
    <div className="editor">
      {editable ? null : <ReadOnlyNote plan={plan} />}
      {writes.conflict ? (
        <div className="error conflict" role="alert">
          <p>
            <strong>This plan changed since you loaded it</strong>
            {writes.conflict.error.currentRevision !== undefined
              ? ` (it is now at revision ${writes.conflict.error.currentRevision})`
              : ''}
            : your edit “{writes.conflict.change.label}” was not applied.
          </p>
          <p>
            Reload to see the plan as it is now (your edit is dropped), or apply your edit again on top of it.
          </p>
          <div className="actions">
            <button type="button" onClick={editor.reload}>
              Reload
            </button>
            <button type="button" className="primary" onClick={() => void writes.reapply()}>
              Re-apply my edit
            </button>
          </div>
        </div>
      ) : null}
      <WriteFailure editor={editor} />
      {writes.pending ? <Busy label={`Saving: ${writes.pending}…`} /> : null}

      <section className="plan-details" aria-labelledby="plan-details-title">
        <h2 id="plan-details-title">Details</h2>
        {editing?.kind === 'plan' ? (
          <DetailsForm
            changedTo={editor.changedSinceOpened ? editor.plan.revision : undefined}
            name="Plan details"
            initial={plan}
            submitLabel="Save details"
            issues={editor.issuesAt(place.plan())}
            onSubmit={editor.saveDetails}
            onCancel={editor.close}
          />
        ) : (
          <>
            {plan.description ? (
              <p className="description">{plan.description}</p>
            ) : (
              <p className="muted">No description.</p>
            )}
            <IssueList issues={editor.issuesAt(place.plan())} label="the plan" />
            {editable ? (
              <div className="actions">
                <button
                  type="button"
                  id={openerId({ kind: 'plan' })}
                  onClick={() => editor.open({ kind: 'plan' })}
                >
                  Edit details
                </button>
              </div>
            ) : null}
          </>
        )}
      </section>

      {editable ? <ValidationSummary editor={editor} /> : null}

      <section className="chunks" aria-labelledby="chunks-title">
        <h2 id="chunks-title">Chunks</h2>
        {plan.chunks.length === 0 ? <p className="muted">This plan has no chunks yet.</p> : null}
        <DndContext
          sensors={sensors}
          collisionDetection={closestCenter}
          onDragEnd={onDragEnd}
          accessibility={{
            announcements: announcementsFor('chunk', keys, chunkTitle),
            screenReaderInstructions: screenReaderInstructions('chunk'),
          }}
        >
          <SortableContext items={keys} strategy={verticalListSortingStrategy}>
            <div className="chunk-list">
              {plan.chunks.map((chunk, i) => (
                <ChunkSection key={chunk.key} chunk={chunk} index={i} count={keys.length} editor={editor} />
              ))}
            </div>
          </SortableContext>
        </DndContext>
        {editing?.kind === 'new-chunk' ? (
          <DetailsForm
            changedTo={editor.changedSinceOpened ? editor.plan.revision : undefined}
            name="New chunk"
            initial={{ title: '', description: '' }}
            withKey
            submitLabel="Save chunk"
            issues={editor.issuesAt(place.newChunk())}
            onSubmit={editor.addChunk}
            onCancel={editor.close}
          />
        ) : editable ? (
          <div className="actions">
            <button
              type="button"
              id={openerId({ kind: 'new-chunk' })}
              onClick={() => editor.open({ kind: 'new-chunk' })}
            >
              Add chunk
            </button>
          </div>
        ) : null}
      </section>
    </div>
  );
}

/** Why the plan cannot be edited, and where to reopen it. */
function ReadOnlyNote({ plan }: { plan: PlanDetail }) {
  const executing = plan.status === 'running' || plan.status === 'paused';
  return (
    <div className="card readonly-note">
      <p>
        <strong>Read-only:</strong>{' '}
        {plan.archived
          ? 'this plan is archived.'
          : plan.status === 'ready'
            ? `this plan is finalized (revision ${plan.finalizedRevision ?? plan.revision}); only a draft can be edited.`
            : executing
              ? `this plan is ${plan.status === 'running' ? 'being executed' : 'paused in its execution'}; only a draft can be edited.`
              : `this plan is ${plan.status}; only a draft can be edited.`}
      </p>
      {plan.archived ? null : executing ? (
        <p>
          Follow the run on the <Link to="run">Execution</Link> tab; once it is stopped, the plan can be
          reopened under <Link to="planning">Planning → Reopen</Link>.
        </p>
      ) : (
        <p>
          To change it, reopen it for planning: <Link to="planning">Planning → Reopen</Link>.
        </p>
      )}
    </div>
  );
}

/** The plan's problems by the finalize rules: how many, with those that concern the plan as a whole. */
function ValidationSummary({ editor }: { editor: EditorActions }) {
  const { validation } = editor;
  if (validation.isError)
    return (
      <ErrorMessage
        error={validation.error}
        title="Could not check the plan"
        onRetry={() => void validation.refetch()}
      />
    );
  if (!validation.data) return null;
  const count = validation.data.issues.length;
  return (
    <p className={count ? 'validation-summary has-issues' : 'validation-summary'} role="status">
      {count === 0
        ? 'No problems: the plan can be finalized.'
        : `${count} problem${count === 1 ? '' : 's'} to fix before the plan can be finalized; each is shown next to its task or chunk.`}
    </p>
  );
}

/** A write that failed for another reason than a stale revision: its message (400 problems are shown in place). */
function WriteFailure({ editor }: { editor: EditorActions }) {
  const { failure } = editor.writes;
  if (!failure) return null;
  const { error, change } = failure;
  const issues = error instanceof ApiError ? error.issues : [];
  if (issues.length === 0)
    return (
      <div className="write-failure">
        <ErrorMessage error={error} title={`Could not ${lower(change.label)}`} />
        <button type="button" onClick={editor.writes.dismissFailure}>
          Dismiss
        </button>
      </div>
    );
  return (
    <div className="error" role="alert">
      <p>
        <strong>Could not {lower(change.label)}:</strong> {issues.length} problem
        {issues.length === 1 ? '' : 's'}, each shown next to its task or chunk.
      </p>
      <button type="button" onClick={editor.writes.dismissFailure}>
        Dismiss
      </button>
    </div>
  );
}

const lower = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
