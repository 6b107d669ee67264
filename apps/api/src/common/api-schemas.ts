import {
  chunkChangesSchema,
  chunkInputSchema,
  chunkKeySchema,
  chunkSchema,
  MAX_TEXT,
  planDetailsChangesSchema,
  planDocumentSchema,
  planStatusSchema,
  taskChangesSchema,
  taskIdSchema,
  taskInputSchema,
  taskSchema,
  taskStatusSchema,
  type ValidationIssue,
  llmUsageSchema,
  planningModeSchema,
} from '@chunkwise/domain';
import type { HistoryEntry, PlanDetail, PlanSummary } from '@chunkwise/read-models';
import { z } from 'zod';

/**
 * The API's request and response shapes, as zod schemas. Request bodies are validated with them
 * (ZodValidationPipe) and the OpenAPI document's components are generated from them
 * (`z.toJSONSchema`), so the documentation cannot drift from what the server accepts. Plan content
 * shapes are the domain's own schemas.
 */

/** The plan revision a write was based on (alternative to If-Match). Stripped before the domain sees the body. */
export const expectedRevisionSchema = z
  .number()
  .int()
  .min(0)
  .optional()
  .describe(
    'The plan revision this write is based on (alternative to the If-Match header). A stale value is refused with 409.',
  );
const rev = { expectedRevision: expectedRevisionSchema };

// ---- request bodies ----

/** POST /plans: the plan document. Its content is validated by the domain (every issue at once). */
export const createPlanBodySchema = planDocumentSchema.extend(rev);
export const updatePlanBodySchema = planDetailsChangesSchema.extend(rev).strict();
export const addChunkBodySchema = chunkInputSchema
  .extend({
    index: z.number().int().min(0).optional().describe('Position among the chunks (default: last).'),
    ...rev,
  })
  .strict();
export const updateChunkBodySchema = chunkChangesSchema.extend(rev).strict();
export const reorderChunksBodySchema = z
  .object({
    order: z.array(chunkKeySchema).describe('Every chunk key, each once, in the new order.'),
    ...rev,
  })
  .strict();
export const addTaskBodySchema = taskInputSchema
  .extend({
    beforeTaskId: taskIdSchema
      .optional()
      .describe('Insert before this task of the same chunk (default: after its last task).'),
    ...rev,
  })
  .strict();
export const updateTaskBodySchema = taskChangesSchema.extend(rev).strict();
export const setDependenciesBodySchema = z
  .object({ dependsOn: z.array(z.union([taskIdSchema, z.number().int()])), ...rev })
  .strict();
export const moveTaskBodySchema = z
  .object({ toChunk: chunkKeySchema, beforeTaskId: taskIdSchema.optional(), ...rev })
  .strict();
export const reopenBodySchema = z.object({ reason: z.string().max(MAX_TEXT).optional(), ...rev }).strict();
export const feedbackBodySchema = z
  .object({
    feedback: z.string().min(1, 'feedback must not be empty').max(MAX_TEXT),
    author: z.string().max(200).optional(),
    ...rev,
  })
  .strict();
/** Writes without content (finalize, archive): the body may only carry expectedRevision. */
export const emptyWriteBodySchema = z.object(rev).strict();

// ---- queries ----

/** GET /plans returns at most this many plans (most recently updated first) unless `limit` says otherwise (max 1000). */
export const DEFAULT_LIST_LIMIT = 100;

const booleanString = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
export const listPlansQuerySchema = z
  .object({
    status: planStatusSchema.optional(),
    repository: z.string().max(4096).optional(),
    includeArchived: booleanString.optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(DEFAULT_LIST_LIMIT),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .strict();
export const getPlanQuerySchema = z
  .object({
    revision: z
      .string()
      .regex(/^\d{1,9}$/, 'revision must be a positive integer')
      .transform(Number)
      .optional(),
  })
  .strict();

// ---- responses ----

export const writeResultSchema = z.object({ id: z.string(), revision: z.number().int() });
export const archiveResultSchema = writeResultSchema.extend({ archived: z.literal(true) });

const issueCodes = [
  'schema',
  'missing_task_id',
  'duplicate_task_id',
  'task_without_chunk',
  'unknown_chunk',
  'duplicate_chunk_key',
  'unknown_dependency',
  'dependency_cycle',
  'dependency_on_later_chunk',
  'empty_plan',
  'empty_chunk',
  'missing_parameter',
  'unknown_parameter',
  'invalid_parameter',
  'undeclared_placeholder',
] as const satisfies ReadonlyArray<ValidationIssue['code']>;
export const validationIssueSchema = z.object({
  code: z.enum(issueCodes),
  message: z.string(),
  taskId: z.string().optional(),
  chunkKey: z.string().optional(),
  path: z.string().optional(),
});
export const validationResultSchema = z.object({
  valid: z.boolean(),
  issues: z.array(validationIssueSchema),
});

export const errorResponseSchema = z.object({
  statusCode: z.number().int(),
  error: z.string(),
  message: z.string(),
  code: z.string().optional(),
  issues: z.array(validationIssueSchema).optional(),
  currentRevision: z
    .number()
    .int()
    .optional()
    .describe('On 409 stale revision: the plan revision to base a retry on.'),
  accepted: z.literal(false).optional().describe('On 409 update_rejected: the workflow refused the update.'),
  reason: z.string().optional().describe('On 409 update_rejected: why the workflow refused it.'),
  repositoryId: z.string().optional().describe('On 409 repository_exists: the id of the registration.'),
});

export const planStatsSchema = z.object({
  chunks: z.number().int(),
  tasks: z.number().int(),
  byStatus: z.record(taskStatusSchema, z.number().int()),
  progress: z.number().min(0).max(1),
});

export const planSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  status: planStatusSchema,
  archived: z.boolean(),
  revision: z.number().int(),
  finalizedRevision: z.number().int().nullable(),
  repository: z.string().nullable(),
  chunkCount: z.number().int(),
  taskCount: z.number().int(),
  completedCount: z.number().int(),
  failedCount: z.number().int(),
  progress: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const feedbackEntrySchema = z.object({
  revision: z.number().int(),
  feedback: z.string(),
  author: z.string().nullable(),
  mode: planningModeSchema
    .nullable()
    .describe('The planning mode of the refinement it drove; null if only recorded.'),
});
const usageTotalsSchema = llmUsageSchema.extend({ calls: z.number().int(), costUsd: z.number() });
export const planUsageSchema = usageTotalsSchema.extend({
  byPurpose: z.record(z.string(), usageTotalsSchema),
});
export const chunkDetailSchema = chunkSchema.extend({ tasks: z.array(taskSchema), stats: planStatsSchema });
export const planDetailSchema = planSummarySchema.extend({
  description: z.string(),
  execution: z.record(z.string(), z.unknown()).nullable(),
  chunks: z.array(chunkDetailSchema),
  stats: planStatsSchema,
  feedback: z.array(feedbackEntrySchema),
  planningIterations: z.number().int(),
  lastPlanningMode: planningModeSchema.nullable(),
  usage: planUsageSchema,
  streamRevision: z.number().int(),
});
export const historyEntrySchema = z.object({
  position: z.number().int(),
  streamRevision: z.number().int(),
  revision: z.number().int(),
  type: z.string(),
  data: z.unknown(),
  metadata: z.record(z.string(), z.unknown()),
  recordedAt: z.string(),
  eventId: z.string(),
});
export const planListSchema = z.object({ plans: z.array(planSummarySchema) });
export const planHistorySchema = z.object({
  planId: z.string(),
  entries: z.array(historyEntrySchema),
  feedback: z.array(feedbackEntrySchema),
});
export const chunkListSchema = z.object({
  planId: z.string(),
  revision: z.number().int(),
  chunks: z.array(chunkDetailSchema),
});
export const taskListSchema = z.object({
  planId: z.string(),
  revision: z.number().int(),
  tasks: z.array(taskSchema),
});
const checkStateSchema = z.enum(['up', 'down']);
/** Readiness checks, each with its state and a human-readable message (see health/health.service.ts). */
export const healthChecksSchema = z.object({
  eventStore: z.object({
    state: checkStateSchema,
    kind: z.enum(['sqlite', 'postgres', 'kurrentdb']),
    /** 'write': a committed one-row probe write (never an event); 'read': the adapter has no write probe. */
    probe: z.enum(['write', 'read']),
    code: z.string().optional(),
    message: z.string(),
  }),
  disk: z.object({
    state: checkStateSchema,
    minFreeBytes: z.number().int(),
    directories: z.array(
      z.object({
        path: z.string(),
        freeBytes: z.number().int().nullable(),
        totalBytes: z.number().int().nullable(),
      }),
    ),
    message: z.string(),
  }),
  temporal: z.object({ state: checkStateSchema, address: z.string(), message: z.string() }),
  projector: z.object({
    state: checkStateSchema,
    mode: z.enum(['active', 'standby', 'off']),
    checkpoint: z.number().int().nullable(),
    head: z.number().int().nullable(),
    lag: z.number().int().nullable(),
    maxLag: z.number().int(),
    message: z.string(),
  }),
});
export const livenessSchema = z.object({
  status: z.literal('ok'),
  uptimeSeconds: z.number(),
});
export const readinessSchema = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: healthChecksSchema,
});
export const healthSchema = z.object({
  status: z.enum(['ok', 'unavailable']),
  eventStore: z.enum(['sqlite', 'postgres', 'kurrentdb']),
  readModels: z.object({
    kind: z.enum(['sqlite', 'postgres']),
    checkpoint: z.number().int().nullable(),
    head: z.number().int().nullable(),
    lag: z.number().int().nullable(),
    projector: z.enum(['active', 'standby', 'off']),
  }),
  error: z.string().optional(),
  /** The readiness checks except Temporal (GET /api/health/ready has all of them). */
  checks: healthChecksSchema.omit({ temporal: true }),
});

// The read-model types are interfaces of their own library; these checks fail to compile if the
// schemas above drift from them.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const same = <T extends true>(_: T) => undefined;
same<Same<z.output<typeof planSummarySchema>, PlanSummary>>(true);
same<Same<z.output<typeof planDetailSchema>, PlanDetail>>(true);
same<Same<z.output<typeof historyEntrySchema>, HistoryEntry>>(true);
same<Same<z.output<typeof validationIssueSchema>, ValidationIssue>>(true);

export type WriteResult = z.output<typeof writeResultSchema>;
export type ValidationResult = z.output<typeof validationResultSchema>;
export type Health = z.output<typeof healthSchema>;
export type HealthChecks = z.output<typeof healthChecksSchema>;
export type Liveness = z.output<typeof livenessSchema>;
export type Readiness = z.output<typeof readinessSchema>;
