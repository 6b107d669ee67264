import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { Chunk, PlanDetail, Task } from '../../api/client';
import { ApiError } from '../../api/errors';
import { planKeys } from '../../api/queries';
import type { DetailsValues } from './DetailsForm';
import { planWrites, validatePlan } from './plan-api';
import { allTasks, moveItem, newId, place, placeIssues, withChunkOrder, withTaskOrder } from './plan-edits';
import type { TaskValues } from './TaskForm';
import { usePlanWrites, type PlanChange } from './use-plan-writes';

/** The one form open at a time. */
export type EditTarget =
  | { kind: 'plan' }
  | { kind: 'task'; id: string }
  | { kind: 'new-task'; chunk: string }
  | { kind: 'chunk'; key: string }
  | { kind: 'new-chunk' };
/** The open form, with the revision it was opened at: its save is based on that revision. */
export type Editing = (EditTarget & { revision: number }) | null;

/** The id of the button that opens the form of `target` (focus returns there when the form closes). */
export const openerId = (target: EditTarget): string => {
  switch (target.kind) {
    case 'plan':
      return 'edit-plan-details';
    case 'task':
      return `edit-task-${target.id}`;
    case 'new-task':
      return `add-task-${target.chunk}`;
    case 'chunk':
      return `edit-chunk-${target.key}`;
    case 'new-chunk':
      return 'add-chunk';
  }
};

export type EditorActions = ReturnType<typeof useEditorActions>;

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** Everything the editor can do to a plan, and what it knows about the plan's problems. */
export function useEditorActions(plan: PlanDetail) {
  const id = plan.id;
  const editable = plan.status === 'draft' && !plan.archived;
  const [editing, setEditing] = useState<Editing>(null);
  const writes = usePlanWrites(plan);
  const { write } = writes;

  // The finalize rules, checked again whenever the plan changes (the stream invalidates ['plan', id]).
  const validation = useQuery({
    queryKey: [...planKeys.plan(id), 'validation'],
    queryFn: ({ signal }) => validatePlan(id, signal),
    enabled: editable,
  });

  // Problems of the plan (validation) and of the last write (400), each shown where it belongs; issues of
  // a write that name nothing in the plan go to the thing the write was about (e.g. the new task's form).
  const placed = placeIssues(plan, validation.data?.issues ?? []);
  const failed = writes.failure;
  if (failed?.error instanceof ApiError && failed.error.issues.length) {
    for (const [where, issues] of placeIssues(plan, failed.error.issues, failed.change.target))
      placed.set(where, [...(placed.get(where) ?? []), ...issues]);
  }

  const titles = new Map(allTasks(plan).map((t) => [t.id, t.title]));
  /** Closes the form; focus returns to the button that opened it. */
  const close = () => {
    if (editing) {
      const opener = openerId(editing);
      requestAnimationFrame(() => document.getElementById(opener)?.focus());
    }
    setEditing(null);
  };
  /** The save of the open form: based on the revision the form was opened at. */
  const writeForm = (change: PlanChange) => write(change, editing?.revision ?? plan.revision);

  return {
    plan,
    editable,
    editing,
    /** Opens the form of `target`, based on the revision shown now. */
    open: (target: EditTarget) => setEditing({ ...target, revision: plan.revision }),
    close,
    writes,
    validation,
    issuesAt: (where: string) => placed.get(where),
    /** The open form was opened before a change somebody else made (its save will be a conflict). */
    changedSinceOpened:
      editing !== null && plan.revision !== editing.revision && !writes.ownRevisions.has(plan.revision),
    taskTitle: (taskId: string) => titles.get(taskId) ?? taskId,

    saveDetails(v: DetailsValues) {
      const body = {
        ...(v.title !== plan.title ? { title: v.title } : {}),
        ...(v.description !== plan.description ? { description: v.description } : {}),
      };
      if (!Object.keys(body).length) return close();
      void writeForm({
        label: 'Save the plan details',
        target: place.plan(),
        run: (r) => planWrites.updatePlan(id, body, r),
        onDone: close,
      });
    },

    saveTask(task: Task | undefined, chunkKey: string, v: TaskValues) {
      if (!task) {
        const taken = new Set(titles.keys());
        const taskId = newId(v.title, taken, `task-${taken.size + 1}`);
        void writeForm({
          label: `Add task ${v.title}`,
          target: place.newTask(chunkKey),
          run: (r) =>
            planWrites.addTask(
              id,
              {
                id: taskId,
                chunk: chunkKey,
                title: v.title,
                description: v.description,
                acceptance: v.acceptance,
                dependsOn: v.dependsOn,
              },
              r,
            ),
          onDone: close,
        });
        return;
      }
      const changes = {
        ...(v.title !== task.title ? { title: v.title } : {}),
        ...(v.description !== task.description ? { description: v.description } : {}),
        ...(!sameList(v.acceptance, task.acceptance) ? { acceptance: v.acceptance } : {}),
      };
      const depsChanged = !sameList(v.dependsOn, task.dependsOn);
      const moved = v.chunk !== task.chunk;
      if (!Object.keys(changes).length && !depsChanged && !moved) return close();
      void writeForm({
        label: `Save task ${v.title}`,
        target: place.task(task.id),
        // Several writes, each based on the revision the one before produced; replayed whole on
        // "Re-apply" (a write that changes nothing is a no-op).
        run: async (r) => {
          let revision = r;
          if (Object.keys(changes).length)
            revision = await planWrites.updateTask(id, task.id, changes, revision);
          if (depsChanged) revision = await planWrites.setDependencies(id, task.id, v.dependsOn, revision);
          if (moved) revision = await planWrites.moveTask(id, task.id, v.chunk, undefined, revision);
          return revision;
        },
        onDone: close,
      });
    },

    removeTask(task: Task) {
      void write({
        label: `Remove task ${task.title}`,
        target: place.task(task.id),
        run: (r) => planWrites.removeTask(id, task.id, r),
        onDone: () => setEditing((e) => (e?.kind === 'task' && e.id === task.id ? null : e)),
      });
    },

    /** Moves `task` to position `to` of its chunk. */
    moveTask(chunk: Chunk, task: Task, to: number, label: string) {
      const ids = chunk.tasks.map((t) => t.id);
      const from = ids.indexOf(task.id);
      if (from < 0 || to < 0 || to >= ids.length || from === to) return;
      const order = moveItem(ids, from, to);
      const before = order[to + 1];
      void write({
        label,
        target: place.task(task.id),
        run: (r) => planWrites.moveTask(id, task.id, chunk.key, before, r),
        optimistic: (p) => withTaskOrder(p, chunk.key, order),
      });
    },

    saveChunk(chunk: Chunk, v: DetailsValues) {
      const body = {
        ...(v.title !== chunk.title ? { title: v.title } : {}),
        ...(v.description !== chunk.description ? { description: v.description } : {}),
      };
      if (!Object.keys(body).length) return close();
      void writeForm({
        label: `Save chunk ${v.title}`,
        target: place.chunk(chunk.key),
        run: (r) => planWrites.updateChunk(id, chunk.key, body, r),
        onDone: close,
      });
    },

    addChunk(v: DetailsValues) {
      const taken = new Set(plan.chunks.map((c) => c.key));
      const key = v.key || newId(v.title, taken, `chunk-${taken.size + 1}`);
      void writeForm({
        label: `Add chunk ${v.title}`,
        target: place.newChunk(),
        run: (r) => planWrites.addChunk(id, { key, title: v.title, description: v.description }, r),
        onDone: close,
      });
    },

    configureChunk(chunk: Chunk, changes: { executionMode?: Chunk['executionMode']; pauseAfter?: boolean }) {
      void write({
        label:
          changes.executionMode !== undefined
            ? `Set the execution mode of ${chunk.title}`
            : `${changes.pauseAfter ? 'Pause' : 'Do not pause'} after ${chunk.title}`,
        target: place.chunk(chunk.key),
        run: (r) => planWrites.updateChunk(id, chunk.key, changes, r),
        optimistic: (p) => ({
          ...p,
          chunks: p.chunks.map((c) => (c.key === chunk.key ? { ...c, ...changes } : c)),
        }),
      });
    },

    removeChunk(chunk: Chunk) {
      void write({
        label: `Remove chunk ${chunk.title}`,
        target: place.chunk(chunk.key),
        run: (r) => planWrites.removeChunk(id, chunk.key, r),
        onDone: () => setEditing((e) => (e?.kind === 'chunk' && e.key === chunk.key ? null : e)),
      });
    },

    /** Moves `chunk` to position `to`. */
    moveChunk(chunk: Chunk, to: number, how: 'up' | 'down' | 'drag') {
      const keys = plan.chunks.map((c) => c.key);
      const from = keys.indexOf(chunk.key);
      if (from < 0 || to < 0 || to >= keys.length || from === to) return;
      const order = moveItem(keys, from, to);
      void write({
        label: how === 'drag' ? `Drag chunk ${chunk.title}` : `Move chunk ${chunk.title} ${how}`,
        target: place.chunk(chunk.key),
        run: (r) => planWrites.reorderChunks(id, order, r),
        optimistic: (p) => withChunkOrder(p, order),
      });
    },

    /** Drops the stale edit: the form closes and the plan reloads. */
    reload() {
      close();
      void writes.reload();
    },
  };
}
