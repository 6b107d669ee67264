import { closestCenter, DndContext, type DragEndEvent } from '@dnd-kit/core';
import { SortableContext, useSortable, verticalListSortingStrategy } from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import type { Chunk, Task } from '../../api/client';
import { StatusBadge } from '../../components/StatusBadge';
import { DetailsForm } from './DetailsForm';
import { announcementsFor, screenReaderInstructions, useEditorSensors } from './dnd';
import { openerId, type EditorActions } from './editor-actions';
import { IssueList } from './IssueList';
import { place } from './plan-edits';
import { TaskForm } from './TaskForm';

const MODES: Array<{ value: Chunk['executionMode']; label: string }> = [
  { value: 'sequential', label: 'Sequential (one task at a time)' },
  { value: 'parallel', label: 'Parallel (independent tasks together)' },
  { value: 'manual', label: 'Manual (wait for approval)' },
];

/** One chunk: its heading, settings and tasks (sortable), with the forms to change them. */
export function ChunkSection({
  chunk,
  index,
  count,
  editor,
}: {
  chunk: Chunk;
  index: number;
  count: number;
  editor: EditorActions;
}) {
  const { editable, editing } = editor;
  const { setNodeRef, setActivatorNodeRef, attributes, listeners, transform, transition, isDragging } =
    useSortable({ id: chunk.key, disabled: !editable || editing !== null });
  const sensors = useEditorSensors();
  const ids = chunk.tasks.map((t) => t.id);
  const headingId = `chunk-${chunk.key}-title`;
  const style = { transform: CSS.Translate.toString(transform), transition: transition };
  const editingChunk = editing?.kind === 'chunk' && editing.key === chunk.key;
  const addingTask = editing?.kind === 'new-task' && editing.chunk === chunk.key;

  const onDragEnd = ({ active, over }: DragEndEvent) => {
    if (!over || active.id === over.id) return;
    const task = chunk.tasks.find((t) => t.id === active.id);
    const to = ids.indexOf(String(over.id));
    if (task && to >= 0) editor.moveTask(chunk, task, to, `Drag task ${task.title}`);
  };

  return (
    <section
      ref={setNodeRef}
      style={style}
      className={`chunk card${isDragging ? ' dragging' : ''}`}
      aria-labelledby={headingId}
    >
      <div className="chunk-head">
        {editable ? (
          <button type="button" className="handle" ref={setActivatorNodeRef} {...attributes} {...listeners}>
            <span aria-hidden="true">⠿</span>
            <span className="sr-only">Drag chunk {chunk.title}</span>
          </button>
        ) : null}
        <h3 id={headingId}>{chunk.title}</h3>
        <code className="muted key">{chunk.key}</code>
        {editable ? (
          <div className="item-actions">
            <button
              type="button"
              id={openerId({ kind: 'chunk', key: chunk.key })}
              onClick={() => editor.open({ kind: 'chunk', key: chunk.key })}
            >
              <span aria-hidden="true">Edit</span>
              <span className="sr-only">Edit chunk {chunk.title}</span>
            </button>
            <button
              type="button"
              aria-disabled={index === 0}
              onClick={() => index > 0 && editor.moveChunk(chunk, index - 1, 'up')}
            >
              <span aria-hidden="true">↑</span>
              <span className="sr-only">Move chunk {chunk.title} up</span>
            </button>
            <button
              type="button"
              aria-disabled={index === count - 1}
              onClick={() => index < count - 1 && editor.moveChunk(chunk, index + 1, 'down')}
            >
              <span aria-hidden="true">↓</span>
              <span className="sr-only">Move chunk {chunk.title} down</span>
            </button>
            <button type="button" className="danger" onClick={() => editor.removeChunk(chunk)}>
              <span aria-hidden="true">Remove</span>
              <span className="sr-only">Remove chunk {chunk.title}</span>
            </button>
          </div>
        ) : null}
      </div>
      {editingChunk ? (
        <DetailsForm
          changedTo={editor.changedSinceOpened ? editor.plan.revision : undefined}
          name={`Chunk ${chunk.title}`}
          initial={chunk}
          submitLabel="Save chunk"
          onSubmit={(v) => editor.saveChunk(chunk, v)}
          onCancel={editor.close}
        />
      ) : chunk.description ? (
        <p className="description">{chunk.description}</p>
      ) : null}
      {editable ? (
        <div className="chunk-settings">
          <label>
            Execution mode
            <select
              value={chunk.executionMode}
              onChange={(e) =>
                editor.configureChunk(chunk, { executionMode: e.target.value as Chunk['executionMode'] })
              }
            >
              {MODES.map((m) => (
                <option key={m.value} value={m.value}>
                  {m.label}
                </option>
              ))}
            </select>
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={chunk.pauseAfter}
              onChange={(e) => editor.configureChunk(chunk, { pauseAfter: e.target.checked })}
            />
            Pause after this chunk
          </label>
        </div>
      ) : (
        <p className="muted">
          {MODES.find((m) => m.value === chunk.executionMode)?.label}
          {chunk.pauseAfter ? '; pauses after this chunk' : ''}
        </p>
      )}
      <IssueList issues={editor.issuesAt(place.chunk(chunk.key))} label={`chunk ${chunk.title}`} />
      <DndContext
        sensors={sensors}
        collisionDetection={closestCenter}
        onDragEnd={onDragEnd}
        accessibility={{
          announcements: announcementsFor('task', ids, editor.taskTitle),
          screenReaderInstructions: screenReaderInstructions('task'),
        }}
      >
        <SortableContext items={ids} strategy={verticalListSortingStrategy}>
          {chunk.tasks.length ? (
            <ol className="tasks">
              {chunk.tasks.map((task, i) => (
                <TaskItem
                  key={task.id}
                  task={task}
                  chunk={chunk}
                  index={i}
                  count={chunk.tasks.length}
                  editor={editor}
                />
              ))}
            </ol>
          ) : (
            <p className="muted">No tasks in this chunk yet.</p>
          )}
        </SortableContext>
      </DndContext>
      {addingTask ? (
        <TaskForm
          changedTo={editor.changedSinceOpened ? editor.plan.revision : undefined}
          plan={editor.plan}
          chunkKey={chunk.key}
          issues={editor.issuesAt(place.newTask(chunk.key))}
          onSubmit={(v) => editor.saveTask(undefined, chunk.key, v)}
          onCancel={editor.close}
        />
      ) : editable ? (
        <div className="actions">
          <button
            type="button"
            id={openerId({ kind: 'new-task', chunk: chunk.key })}
            onClick={() => editor.open({ kind: 'new-task', chunk: chunk.key })}
          >
            Add task
          </button>
        </div>
      ) : null}
    </section>
  );
}

function TaskItem({
  task,
  chunk,
  index,
  count,
  editor,
}: {
  task: Task;
  chunk: Chunk;
  index: number;
  count: number;
  editor: EditorActions;
}) {
  const { editable, editing } = editor;
  const isEditing = editing?.kind === 'task' && editing.id === task.id;
  const { setNodeRef, setActivatorNodeRef, attributes, listeners, transform, transition, isDragging } =
    useSortable({ id: task.id, disabled: !editable || editing !== null });
  const style = { transform: CSS.Translate.toString(transform), transition: transition };
  return (
    <li
      ref={setNodeRef}
      style={style}
      className={`task${isDragging ? ' dragging' : ''}`}
      data-task-id={task.id}
    >
      <div className="task-row">
        {editable ? (
          <button type="button" className="handle" ref={setActivatorNodeRef} {...attributes} {...listeners}>
            <span aria-hidden="true">⠿</span>
            <span className="sr-only">Drag task {task.title}</span>
          </button>
        ) : null}
        <div className="task-text">
          <span className="task-title">{task.title}</span> <code className="muted key">{task.id}</code>
          {task.status !== 'pending' ? (
            <>
              {' '}
              <StatusBadge status={task.status} />
            </>
          ) : null}
          {task.dependsOn.length ? (
            <span className="muted deps"> · after {task.dependsOn.join(', ')}</span>
          ) : null}
          {task.description ? <p className="task-description muted">{task.description}</p> : null}
          {task.acceptance.length ? (
            <p className="muted acceptance">
              {task.acceptance.length} acceptance criteri{task.acceptance.length === 1 ? 'on' : 'a'}
            </p>
          ) : null}
        </div>
        {editable ? (
          <div className="item-actions">
            <button
              type="button"
              id={openerId({ kind: 'task', id: task.id })}
              onClick={() => editor.open({ kind: 'task', id: task.id })}
            >
              <span aria-hidden="true">Edit</span>
              <span className="sr-only">Edit task {task.title}</span>
            </button>
            <button
              type="button"
              aria-disabled={index === 0}
              onClick={() =>
                index > 0 && editor.moveTask(chunk, task, index - 1, `Move task ${task.title} up`)
              }
            >
              <span aria-hidden="true">↑</span>
              <span className="sr-only">Move task {task.title} up</span>
            </button>
            <button
              type="button"
              aria-disabled={index === count - 1}
              onClick={() =>
                index < count - 1 && editor.moveTask(chunk, task, index + 1, `Move task ${task.title} down`)
              }
            >
              <span aria-hidden="true">↓</span>
              <span className="sr-only">Move task {task.title} down</span>
            </button>
            <button type="button" className="danger" onClick={() => editor.removeTask(task)}>
              <span aria-hidden="true">Remove</span>
              <span className="sr-only">Remove task {task.title}</span>
            </button>
          </div>
        ) : null}
      </div>
      <IssueList issues={editor.issuesAt(place.task(task.id))} label={task.title} />
      {isEditing ? (
        <TaskForm
          changedTo={editor.changedSinceOpened ? editor.plan.revision : undefined}
          plan={editor.plan}
          task={task}
          chunkKey={chunk.key}
          onSubmit={(v) => editor.saveTask(task, chunk.key, v)}
          onCancel={editor.close}
        />
      ) : null}
    </li>
  );
}
