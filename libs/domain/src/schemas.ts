import { z } from 'zod';
import { executionSettingsWriteSchema } from './execution-settings';

/**
 * zod schemas for the plan model. The plan *document* is what users write and the API accepts;
 * it is lenient (aliases, optional fields) and is normalised into the strict model by `document.ts`.
 */

export const MAX_TEXT = 20_000;

export const executionModeSchema = z.enum(['sequential', 'parallel', 'manual']);
export const taskStatusSchema = z.enum(['pending', 'running', 'completed', 'failed', 'skipped']);
export const planStatusSchema = z.enum([
  'draft',
  'ready',
  'running',
  'paused',
  'completed',
  'failed',
  'cancelled',
]);

export const chunkKeySchema = z
  .string()
  .min(1, 'chunk key must not be empty')
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'chunk key may contain letters, digits, "_", "." and "-" only');
export const taskIdSchema = z
  .string()
  .min(1, 'task id must not be empty')
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, 'task id may contain letters, digits, "_", ".", ":" and "-" only');

const text = z.string().max(MAX_TEXT);
export const taskRepositorySchema = z.string().min(1, 'repository must not be empty').max(4096);
export const labelSchema = z.string().min(1).max(100);

export const chunkSchema = z.object({
  key: chunkKeySchema,
  title: z.string().min(1).max(500),
  description: text.default(''),
  executionMode: executionModeSchema.default('sequential'),
  pauseAfter: z.boolean().default(false),
});

export const taskSchema = z.object({
  id: taskIdSchema,
  chunk: chunkKeySchema,
  title: z.string().min(1).max(500),
  description: text.default(''),
  dependsOn: z.array(taskIdSchema).default([]),
  canRunInParallel: z.boolean().default(false),
  acceptance: z.array(text).default([]),
  status: taskStatusSchema.default('pending'),
  attempts: z.number().int().min(0).default(0),
  lastError: z.string().nullable().default(null),
  commitSha: z.string().nullable().default(null),
  /** Free labels kept from imported plans (e.g. Spec Kit story labels `US1`). */
  labels: z.array(labelSchema).default([]),
  /** Marked optional by its source (Kiro `*`); executed like any other task. */
  optional: z.boolean().default(false),
  /** Cancelled in its source; kept for the record and never executed (its status is `skipped`). */
  cancelled: z.boolean().default(false),
  /**
   * The repository the task works in, when it is not the plan's: `repo:<id>` of a registered
   * repository, or a path on the worker's machine (docs/multi-repository.md). Absent or null: the plan's.
   */
  repository: taskRepositorySchema.nullable().optional(),
});

/**
 * Execution settings as stored: any object, so that plans written by older versions still fold.
 * What a request writes is checked with `executionSettingsWriteSchema` (see the document schemas).
 */
export const executionSettingsSchema = z.record(z.string(), z.unknown());

export const planContentSchema = z.object({
  title: z.string().min(1).max(500),
  description: text.default(''),
  repository: z.string().max(4096).nullable().default(null),
  chunks: z.array(chunkSchema),
  tasks: z.array(taskSchema),
  execution: executionSettingsSchema.nullable().default(null),
});

// ---- the plan document (user input) ----

export const chunkInputSchema = z.object({
  key: chunkKeySchema,
  title: z.string().min(1).max(500).optional(),
  description: text.optional(),
  executionMode: executionModeSchema.optional(),
  pauseAfter: z.boolean().optional(),
});

/** id and chunk are optional here so that validation can name a task that lacks them. */
export const taskInputSchema = z.object({
  id: z.union([z.string(), z.number()]).optional(),
  chunk: z.string().optional(),
  title: z.string().max(500).optional(),
  description: text.optional(),
  dependsOn: z.array(z.union([z.string(), z.number()])).optional(),
  depends_on: z.array(z.union([z.string(), z.number()])).optional(),
  canRunInParallel: z.boolean().optional(),
  acceptance: z.array(text).optional(),
  status: taskStatusSchema.optional(),
  labels: z.array(labelSchema).optional(),
  optional: z.boolean().optional(),
  cancelled: z.boolean().optional(),
  repository: taskRepositorySchema.nullable().optional(),
});

export const planDocumentSchema = z.object({
  title: z.string().min(1, 'title must not be empty').max(500),
  description: text.optional(),
  repository: z.string().max(4096).nullable().optional(),
  chunks: z.array(chunkInputSchema).optional(),
  tasks: z.array(taskInputSchema).default([]),
  execution: executionSettingsWriteSchema.nullable().optional(),
});

export const chunkChangesSchema = chunkInputSchema.omit({ key: true }).partial();
export const taskChangesSchema = z
  .object({
    title: z.string().min(1).max(500),
    description: text,
    acceptance: z.array(text),
    canRunInParallel: z.boolean(),
    labels: z.array(labelSchema),
    optional: z.boolean(),
    repository: taskRepositorySchema.nullable(),
  })
  .partial();
export const planDetailsChangesSchema = z
  .object({
    title: z.string().min(1).max(500),
    description: text,
    repository: z.string().max(4096).nullable(),
    execution: executionSettingsWriteSchema.nullable(),
  })
  .partial();

export type ExecutionMode = z.infer<typeof executionModeSchema>;
export type TaskStatus = z.infer<typeof taskStatusSchema>;
export type PlanStatus = z.infer<typeof planStatusSchema>;
export type Chunk = z.infer<typeof chunkSchema>;
export type Task = z.infer<typeof taskSchema>;
export type PlanContent = z.infer<typeof planContentSchema>;
export type ChunkInput = z.infer<typeof chunkInputSchema>;
export type TaskInput = z.infer<typeof taskInputSchema>;
export type PlanDocument = z.input<typeof planDocumentSchema>;
export type ChunkChanges = z.infer<typeof chunkChangesSchema>;
export type TaskChanges = z.infer<typeof taskChangesSchema>;
export type PlanDetailsChanges = z.infer<typeof planDetailsChangesSchema>;
