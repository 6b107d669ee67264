import { z } from 'zod';
import { DomainError, ValidationError, type ValidationIssue } from './errors';
import { parsePlanDocument, planContentToDocument } from './document';
import {
  chunkKeySchema,
  executionModeSchema,
  MAX_TEXT,
  taskIdSchema,
  type PlanContent,
  type TaskInput,
} from './schemas';

/**
 * Review suggestions: what a review turn proposes, and how chosen suggestions are applied to a plan.
 * The same schemas are the structured output asked of the LLM and the stored form, so a suggestion
 * that reached the event store is one the apply step understands.
 */

export const reviewTypeSchema = z.enum([
  'refine_descriptions',
  'add_missing',
  'optimize_order',
  'break_down',
]);
export const reviewScopeSchema = z.enum(['all', 'chunk', 'task']);

const text = z.string().max(MAX_TEXT);

/** A task proposed by a suggestion (id and chunk required; the rest defaults like a plan document). */
export const proposedTaskSchema = z.object({
  id: taskIdSchema,
  chunk: chunkKeySchema,
  title: z.string().min(1).max(500),
  description: text.optional(),
  acceptance: z.array(text).optional(),
  dependsOn: z.array(taskIdSchema).optional(),
  canRunInParallel: z.boolean().optional(),
});

const taskSnapshotSchema = z.object({
  title: z.string().max(500).optional(),
  description: text.optional(),
  acceptance: z.array(text).optional(),
  dependsOn: z.array(z.string()).optional(),
  canRunInParallel: z.boolean().optional(),
});

const common = {
  id: z.string().min(1).max(100),
  reasoning: text,
};

export const suggestionSchema = z.discriminatedUnion('kind', [
  z.object({
    ...common,
    kind: z.literal('add_task'),
    before: z.null(),
    after: z.object({ task: proposedTaskSchema, beforeTaskId: taskIdSchema.nullable().optional() }),
  }),
  z.object({
    ...common,
    kind: z.literal('modify_task'),
    taskId: taskIdSchema,
    /** The fields as they were when the suggestion was made (used to tell whether it still applies). */
    before: taskSnapshotSchema,
    after: taskSnapshotSchema,
  }),
  z.object({
    ...common,
    kind: z.literal('remove_task'),
    taskId: taskIdSchema,
    before: taskSnapshotSchema,
    after: z.null(),
  }),
  z.object({
    ...common,
    kind: z.literal('reorder'),
    /** Reorders the tasks of this chunk; null reorders the chunks themselves. */
    chunkKey: chunkKeySchema.nullable(),
    before: z.array(z.string()),
    after: z.array(z.string()),
  }),
  z.object({
    ...common,
    kind: z.literal('add_chunk'),
    before: z.null(),
    after: z.object({
      chunk: z.object({
        key: chunkKeySchema,
        title: z.string().min(1).max(500),
        description: text.optional(),
        executionMode: executionModeSchema.optional(),
      }),
      /** Position among the chunks; appended when absent. */
      index: z.number().int().min(0).nullable().optional(),
      tasks: z.array(proposedTaskSchema),
    }),
  }),
  z.object({
    ...common,
    kind: z.literal('break_down_task'),
    taskId: taskIdSchema,
    before: taskSnapshotSchema,
    after: z.object({ tasks: z.array(proposedTaskSchema).min(2) }),
  }),
]);

export const suggestionListSchema = z.object({
  suggestions: z.array(suggestionSchema).max(100),
});

export type ReviewType = z.infer<typeof reviewTypeSchema>;
export type ReviewScope = z.infer<typeof reviewScopeSchema>;
export type Suggestion = z.infer<typeof suggestionSchema>;
export type SuggestionKind = Suggestion['kind'];
export type ProposedTask = z.infer<typeof proposedTaskSchema>;

type Doc = { title: string; description?: string; chunks: any[]; tasks: TaskInput[]; [k: string]: unknown };

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Why a suggestion no longer applies to `content` (its target is gone or changed since it was made),
 * or null when it applies cleanly.
 */
export function suggestionConflict(content: PlanContent, s: Suggestion): string | null {
  const task = 'taskId' in s ? content.tasks.find((t) => t.id === s.taskId) : undefined;
  switch (s.kind) {
    case 'add_task':
      if (content.tasks.some((t) => t.id === s.after.task.id))
        return `task ${s.after.task.id} already exists`;
      return null;
    case 'add_chunk':
      if (content.chunks.some((c) => c.key === s.after.chunk.key))
        return `chunk ${s.after.chunk.key} already exists`;
      return null;
    case 'modify_task':
    case 'remove_task':
    case 'break_down_task': {
      if (!task) return `task ${s.taskId} no longer exists`;
      for (const [field, value] of Object.entries(s.before)) {
        if (value !== undefined && !same((task as Record<string, unknown>)[field], value)) {
          return `task ${s.taskId} ${field} changed since the suggestion was made`;
        }
      }
      return null;
    }
    case 'reorder': {
      const current =
        s.chunkKey === null
          ? content.chunks.map((c) => c.key)
          : content.tasks.filter((t) => t.chunk === s.chunkKey).map((t) => t.id);
      if (s.chunkKey !== null && !content.chunks.some((c) => c.key === s.chunkKey))
        return `chunk ${s.chunkKey} no longer exists`;
      return same(current, s.before) ? null : `the order of ${s.chunkKey ?? 'the chunks'} changed`;
    }
  }
}

function toTaskInput(t: ProposedTask, fallbackDeps: string[] = []): TaskInput {
  return {
    id: t.id,
    chunk: t.chunk,
    title: t.title,
    description: t.description ?? '',
    acceptance: t.acceptance ?? [],
    dependsOn: t.dependsOn ?? fallbackDeps,
    canRunInParallel: t.canRunInParallel ?? false,
    status: 'pending',
  };
}

function applyOne(doc: Doc, s: Suggestion): void {
  const tasks = doc.tasks;
  const indexOf = (id: string) => tasks.findIndex((t) => t.id === id);
  const need = (id: string) => {
    const i = indexOf(id);
    if (i < 0) throw new DomainError('task_not_found', `suggestion ${s.id}: task ${id} not found`);
    return i;
  };
  switch (s.kind) {
    case 'add_task': {
      const input = toTaskInput(s.after.task);
      let at = s.after.beforeTaskId ? indexOf(s.after.beforeTaskId) : -1;
      if (at < 0) {
        const last = tasks.map((t) => t.chunk).lastIndexOf(input.chunk);
        at = last < 0 ? tasks.length : last + 1;
      }
      tasks.splice(at, 0, input);
      return;
    }
    case 'modify_task': {
      const i = need(s.taskId);
      const changes = Object.fromEntries(Object.entries(s.after).filter(([, v]) => v !== undefined));
      tasks[i] = { ...tasks[i], ...changes };
      return;
    }
    case 'remove_task': {
      tasks.splice(need(s.taskId), 1);
      // Dependents lose the edge rather than blocking the removal the user chose.
      for (const t of tasks) t.dependsOn = (t.dependsOn ?? []).filter((d) => String(d) !== s.taskId);
      return;
    }
    case 'break_down_task': {
      const i = need(s.taskId);
      const parent = tasks[i];
      const parentDeps = (parent.dependsOn ?? []).map(String);
      const parts = s.after.tasks.map((p) => toTaskInput({ ...p, chunk: String(parent.chunk) }, parentDeps));
      tasks.splice(i, 1, ...parts);
      // Whatever depended on the task now depends on all of its parts.
      const ids = parts.map((p) => String(p.id));
      for (const t of tasks) {
        const deps = (t.dependsOn ?? []).map(String);
        if (deps.includes(s.taskId))
          t.dependsOn = [...new Set(deps.flatMap((d) => (d === s.taskId ? ids : [d])))];
      }
      return;
    }
    case 'reorder': {
      if (s.chunkKey === null) {
        const keys = doc.chunks.map((c) => c.key);
        if (!sameSet(keys, s.after))
          throw new DomainError(
            'invalid_command',
            `suggestion ${s.id}: the new order must list every chunk once`,
          );
        doc.chunks = s.after.map((k) => doc.chunks.find((c) => c.key === k));
        return;
      }
      const inChunk = tasks.filter((t) => t.chunk === s.chunkKey);
      if (
        !sameSet(
          inChunk.map((t) => String(t.id)),
          s.after,
        )
      ) {
        throw new DomainError(
          'invalid_command',
          `suggestion ${s.id}: the new order must list every task of ${s.chunkKey} once`,
        );
      }
      const slots = tasks.map((t, i) => (t.chunk === s.chunkKey ? i : -1)).filter((i) => i >= 0);
      const ordered = s.after.map((id) => inChunk.find((t) => String(t.id) === id)!);
      slots.forEach((slot, k) => (tasks[slot] = ordered[k]));
      return;
    }
    case 'add_chunk': {
      const { chunk, index, tasks: added } = s.after;
      const at = index ?? doc.chunks.length;
      doc.chunks.splice(Math.min(at, doc.chunks.length), 0, {
        key: chunk.key,
        title: chunk.title,
        description: chunk.description ?? '',
        executionMode: chunk.executionMode ?? 'sequential',
      });
      tasks.push(...added.map((t) => toTaskInput({ ...t, chunk: chunk.key })));
      return;
    }
  }
}

const sameSet = (a: string[], b: string[]) =>
  a.length === b.length && new Set(b).size === b.length && b.every((x) => a.includes(x));

/**
 * Applies the chosen suggestions in order and returns the new content, validated. Throws a
 * ValidationError naming every problem when the result is not a valid plan.
 */
export function applySuggestions(content: PlanContent, chosen: readonly Suggestion[]): PlanContent {
  const doc = planContentToDocument(content) as Doc;
  doc.chunks = doc.chunks ?? [];
  for (const s of chosen) applyOne(doc, s);
  // Tasks added to a chunk are ordered by chunk so the document's flat list stays grouped.
  const order = new Map(doc.chunks.map((c, i) => [c.key, i]));
  doc.tasks = doc.tasks
    .map((t, i) => ({ t, i }))
    .sort(
      (a, b) => (order.get(String(a.t.chunk)) ?? 1e9) - (order.get(String(b.t.chunk)) ?? 1e9) || a.i - b.i,
    )
    .map(({ t }) => t);
  // Suggestions never touch the execution settings: they are carried as stored (a plan written by
  // an older version may hold settings today's write schema refuses; that is no reason to refuse these).
  const parsed = parsePlanDocument({ ...doc, execution: undefined });
  if (!parsed.ok)
    throw new ValidationError(parsed.issues, 'the chosen suggestions would leave the plan invalid');
  // Execution fields of untouched tasks survive (the document form drops them).
  const byId = new Map(content.tasks.map((t) => [t.id, t]));
  return {
    ...parsed.content,
    execution: content.execution,
    tasks: parsed.content.tasks.map((t) => {
      const old = byId.get(t.id);
      return old ? { ...t, attempts: old.attempts, lastError: old.lastError, commitSha: old.commitSha } : t;
    }),
  };
}

export type { ValidationIssue };
