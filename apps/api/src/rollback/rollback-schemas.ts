import { z } from 'zod';

/** `POST /api/plans/:id/rollback`: the session (default the latest) or one task's commit. */
export const rollbackBodySchema = z
  .object({
    sessionId: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .describe('The session to roll back; default the latest.'),
    taskId: z.string().min(1).max(200).optional().describe('Undo only this task’s commit.'),
  })
  .strict();

const repositoryRollbackSchema = z.object({
  repository: z.string().nullable(),
  branch: z.string(),
  method: z.enum(['reset', 'revert']),
  reverted: z.array(z.string()),
  revertCommits: z.array(z.string()),
  previousHead: z.string(),
  newHead: z.string(),
  pushed: z.boolean(),
});

const conflictSchema = z.object({
  repository: z.string().nullable(),
  branch: z.string(),
  commit: z.string(),
  files: z.array(z.string()),
});

export const rollbackResultSchema = z.object({
  planId: z.string(),
  rollbackId: z.string(),
  workflowId: z.string(),
  sessionId: z.string(),
  taskId: z.string().nullable(),
  status: z.enum(['completed', 'failed', 'running']),
  outcome: z
    .object({
      ok: z.boolean(),
      reason: z.string().optional(),
      conflict: conflictSchema.nullable().optional(),
      results: z.array(repositoryRollbackSchema),
      tasks: z.array(z.string()),
    })
    .nullable(),
});

export const ROLLBACK_OPENAPI_SCHEMAS: Record<string, { schema: z.ZodType; io: 'input' | 'output' }> = {
  RollbackPlan: { schema: rollbackBodySchema, io: 'input' },
  RollbackResult: { schema: rollbackResultSchema, io: 'output' },
};
