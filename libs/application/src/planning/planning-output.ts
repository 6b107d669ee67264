import {
  chunkKeySchema,
  executionModeSchema,
  MAX_TEXT,
  parsePlanDocument,
  suggestionListSchema,
  taskIdSchema,
  type PlanContent,
} from '@chunkwise/domain';
import { z } from 'zod';

/**
 * What the model is asked to return, as zod schemas. They are sent as tool input schemas and the
 * answers are validated against them; a refinement that fails (an unknown dependency, a cycle) makes
 * the LLM port run its one repair turn quoting the problem.
 */

const text = z.string().max(MAX_TEXT);

export const llmTaskSchema = z.object({
  id: taskIdSchema.describe('Stable task id such as T001; keep existing ids for tasks you keep'),
  chunk: chunkKeySchema.describe('Key of the chunk the task belongs to'),
  title: z.string().min(1).max(500),
  description: text.describe('What to build, where, and how; enough for a coding agent to act on'),
  acceptance: z.array(text).min(1).describe('Checkable acceptance criteria'),
  dependsOn: z.array(taskIdSchema).describe('Ids of tasks that must be done first (same or earlier chunk)'),
  canRunInParallel: z.boolean().describe('True when it can run alongside its chunk siblings'),
});

export const llmChunkSchema = z.object({
  key: chunkKeySchema.describe('C01_<slug>, C02_<slug>, ... in execution order'),
  title: z.string().min(1).max(500),
  description: text,
  executionMode: executionModeSchema,
});

const planShape = {
  title: z.string().min(1).max(500),
  description: text,
  chunks: z.array(llmChunkSchema).min(1),
  tasks: z.array(llmTaskSchema).min(1),
};

/** Domain validation as a zod refinement, so its issues reach the repair turn. */
function domainCheck(plan: { title: string; chunks: unknown[]; tasks: unknown[] }, ctx: z.RefinementCtx) {
  const parsed = parsePlanDocument({ title: plan.title, chunks: plan.chunks, tasks: plan.tasks });
  if (!parsed.ok) {
    for (const issue of parsed.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: [] });
  }
}

export const llmPlanSchema = z.object(planShape).superRefine(domainCheck);
export type LlmPlan = z.infer<typeof llmPlanSchema>;

/** A refined plan plus a short summary of what changed (kept in the turn's record). */
export const llmRevisionSchema = z
  .object({ ...planShape, summary: text.describe('What changed and why, briefly') })
  .superRefine(domainCheck);
export type LlmRevision = z.infer<typeof llmRevisionSchema>;

/** The judge of a multi-draft turn: pick one draft, or merge them into a new plan. */
export function judgeSchema(drafts: number) {
  return z
    .object({
      decision: z.enum(['pick', 'merge']),
      pickedDraft: z
        .number()
        .int()
        .min(1)
        .max(drafts)
        .nullable()
        .describe('1-based number of the chosen draft when decision is pick'),
      rationale: text.describe('Why this draft (or this merge) serves the feedback best'),
      merged: z.object(planShape).nullable().describe('The merged plan when decision is merge, else null'),
    })
    .superRefine((v, ctx) => {
      if (v.decision === 'pick' && v.pickedDraft === null)
        ctx.addIssue({ code: 'custom', path: ['pickedDraft'], message: 'pick needs pickedDraft' });
      if (v.decision === 'merge') {
        if (v.merged === null)
          ctx.addIssue({ code: 'custom', path: ['merged'], message: 'merge needs merged' });
        else domainCheck(v.merged, ctx);
      }
    });
}
export type JudgeAnswer = z.infer<ReturnType<typeof judgeSchema>>;

/** Review answers must name tasks and chunks that exist, so that they can be applied. */
export function reviewSchema(content: PlanContent) {
  const tasks = new Set(content.tasks.map((t) => t.id));
  const chunks = new Set(content.chunks.map((c) => c.key));
  return suggestionListSchema.superRefine((v, ctx) => {
    v.suggestions.forEach((s, i) => {
      if ('taskId' in s && !tasks.has(s.taskId))
        ctx.addIssue({ code: 'custom', path: ['suggestions', i, 'taskId'], message: `no task ${s.taskId}` });
      if (s.kind === 'reorder' && s.chunkKey !== null && !chunks.has(s.chunkKey))
        ctx.addIssue({
          code: 'custom',
          path: ['suggestions', i, 'chunkKey'],
          message: `no chunk ${s.chunkKey}`,
        });
      if (s.kind === 'add_task' && !chunks.has(s.after.task.chunk))
        ctx.addIssue({
          code: 'custom',
          path: ['suggestions', i, 'after', 'task', 'chunk'],
          message: `no chunk ${s.after.task.chunk}`,
        });
    });
  });
}

/** Chunk keys numbered in order (`C01_<slug>`), whatever the model called them; references follow. */
export function normalizeChunkKeys<
  T extends { chunks: Array<{ key: string }>; tasks: Array<{ chunk: string }> },
>(plan: T): T {
  const rename = new Map<string, string>();
  plan.chunks.forEach((c, i) => {
    const slug =
      c.key
        .replace(/^C\d+[_.-]?/i, '')
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '_')
        .replace(/^_+|_+$/g, '')
        .slice(0, 60) || 'chunk';
    rename.set(c.key, `C${String(i + 1).padStart(2, '0')}_${slug}`);
  });
  return {
    ...plan,
    chunks: plan.chunks.map((c) => ({ ...c, key: rename.get(c.key)! })),
    tasks: plan.tasks.map((t) => ({ ...t, chunk: rename.get(t.chunk) ?? t.chunk })),
  };
}
