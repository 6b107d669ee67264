import {
  agentConfigSchema,
  chunkKeySchema,
  EXECUTION_EVENT_TYPES,
  executionSettingsWriteSchema,
  MAX_TEXT,
  PLAN_EVENT_TYPES,
  planStatusSchema,
  qaGateSchema,
  ROLLBACK_EVENT_TYPES,
  taskStatusSchema,
} from '@chunkwise/domain';
import { z } from 'zod';

/**
 * Request and response shapes of the execution routes (validation and OpenAPI components, like
 * common/api-schemas.ts).
 */

const reason = z.string().max(MAX_TEXT).optional();
const taskEditSchema = z
  .object({
    title: z.string().min(1).max(500).optional(),
    description: z.string().max(MAX_TEXT).optional(),
    acceptance: z.array(z.string().max(MAX_TEXT)).optional(),
  })
  .strict();

export const executeBodySchema = z
  .object({
    from: z
      .enum(['beginning', 'current', 'chunk', 'task'])
      .optional()
      .describe(
        'beginning: run every task again; current (default): keep completed/skipped tasks; chunk/task: start at `target`.',
      ),
    target: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('The chunk key (from=chunk) or task id (from=task).'),
    chunks: z
      .string()
      .regex(
        /^[A-Za-z0-9_]+(?:\s*-\s*[A-Za-z0-9_]+)?$/,
        'chunks must be a chunk key or a range such as C02-C04',
      )
      .optional()
      .describe('Only these chunks: a key or a range such as C02-C04.'),
    options: executionSettingsWriteSchema
      .optional()
      .describe('Override the plan (and repository) execution settings for this session.'),
  })
  .strict();

export const controlBodySchema = z.object({ reason }).strict();
export const approveTaskBodySchema = z
  .object({ action: z.enum(['execute', 'skip']).default('execute'), edit: taskEditSchema.optional() })
  .strict();
export const retryTaskBodySchema = z.object({ edit: taskEditSchema.optional() }).strict();
export const skipTaskBodySchema = z.object({ reason }).strict();
export const completeTaskBodySchema = z.object({}).strict();
export const editTaskBodySchema = taskEditSchema.refine(
  (e) => e.title !== undefined || e.description !== undefined || e.acceptance !== undefined,
  'name at least one of title, description, acceptance',
);

/** Every event type a plan's stream (`GET /plans/:id/stream`) sends as `event: <type>`. */
export const streamEventTypeSchema = z.enum([
  ...PLAN_EVENT_TYPES,
  ...EXECUTION_EVENT_TYPES,
  ...ROLLBACK_EVENT_TYPES,
] as [string, ...string[]]);

/** The JSON `data:` of one stream frame. */
export const streamEventSchema = z.object({
  type: streamEventTypeSchema,
  position: z.number().int().describe('Global position; the frame id, sent back as Last-Event-ID'),
  streamRevision: z.number().int(),
  recordedAt: z.string(),
  data: z.record(z.string(), z.unknown()),
});

export const streamQuerySchema = z
  .object({
    after: z
      .string()
      .regex(/^\d{1,15}$/, 'after must be an event position (a non-negative integer)')
      .transform(Number)
      .optional(),
    // Checked by the bearer-auth middleware (EventSource cannot send headers); never used here.
    access_token: z.string().optional(),
  })
  .strict();

/** Turn ids are `<sessionId>-<n>`; anything else (dots, slashes) is refused before touching the disk. */
export const TURN_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

// ---- responses ----

export const sessionRefSchema = z.object({
  planId: z.string(),
  sessionId: z.string(),
  workflowId: z.string(),
  revision: z.number().int(),
});
export const resumeResultSchema = z.object({
  action: z.enum(['resumed', 'restarted']),
  planId: z.string(),
  sessionId: z.string(),
  workflowId: z.string(),
});
export const signalResultSchema = z.object({
  planId: z.string(),
  sessionId: z.string(),
  workflowId: z.string(),
  signal: z.enum(['pause', 'stop', 'cancel']),
});
export const updateAnswerSchema = z.object({ accepted: z.literal(true), reason: z.string().nullable() });

const progressTaskSchema = z.object({
  id: z.string(),
  chunk: z.string(),
  title: z.string(),
  status: taskStatusSchema,
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  commitSha: z.string().nullable(),
  outOfScope: z.boolean().optional(),
  startedAt: z.number().nullable().optional(),
  endedAt: z.number().nullable().optional(),
  repository: z
    .string()
    .nullable()
    .optional()
    .describe('The repository the task works in, when not the plan’s (multi-repository plans).'),
});
const repositoryProgressSchema = z.object({
  repository: z.string().nullable().describe('null: the plan’s own repository.'),
  tasks: z.number().int(),
  completed: z.number().int(),
  pending: z.number().int(),
  failed: z.number().int(),
  commits: z.array(z.string()),
});
const progressChunkSchema = z.object({
  key: chunkKeySchema,
  title: z.string(),
  executionMode: z.enum(['sequential', 'parallel', 'manual']),
  pauseAfter: z.boolean(),
  status: z.string(),
  total: z.number().int(),
  completed: z.number().int(),
  skipped: z.number().int(),
  failed: z.number().int(),
  running: z.number().int(),
});
export const progressSchema = z.object({
  live: z
    .boolean()
    .describe('true: answered by the running workflow; false: from the read models (no active session).'),
  planId: z.string(),
  planStatus: planStatusSchema.optional(),
  sessionId: z.string().nullable(),
  revision: z.number().int(),
  status: z.string().describe('The session status (live) or the plan status (read models).'),
  pauseReason: z.string().nullable(),
  pauseDetail: z.string().nullable(),
  currentChunk: z.string().nullable(),
  nextChunk: z.string().nullable(),
  chunks: z.array(progressChunkSchema),
  tasks: z.array(progressTaskSchema),
  totals: z.object({
    tasks: z.number().int(),
    completed: z.number().int(),
    skipped: z.number().int(),
    failed: z.number().int(),
    running: z.number().int(),
    pending: z.number().int(),
  }),
  commits: z.array(z.string()),
  elapsedMs: z.number().nullable(),
  branch: z.string().nullable(),
  repositories: z
    .array(repositoryProgressSchema)
    .optional()
    .describe('Per repository, the plan’s first; each has the session’s branch (multi-repository plans).'),
  note: z.string().optional(),
});
export type ProgressResponse = z.output<typeof progressSchema>;

export const repositorySchema = z.object({
  id: z.string(),
  path: z.string(),
  name: z.string(),
  defaults: z.object({
    agent: agentConfigSchema.optional(),
    qaGates: z.array(qaGateSchema).optional(),
    maxAttempts: z.number().int().optional(),
    maxParallel: z.number().int().optional(),
    turnScope: z.enum(['task', 'chunk']).optional(),
    noProgressBudget: z.number().int().optional(),
  }),
  registeredAt: z.string(),
});
export const repositoryListSchema = z.object({ repositories: z.array(repositorySchema) });

/** `GET /plans/:id/chunks/:key/diff`: what the commits of a chunk's tasks changed. */
export const chunkDiffSchema = z.object({
  planId: z.string(),
  chunk: z.string(),
  repository: z.string().nullable().describe('Where the commits were read (null when the chunk has none).'),
  commits: z.array(
    z.object({
      sha: z.string(),
      subject: z.string(),
      author: z.string(),
      date: z.string(),
      taskId: z.string().nullable(),
    }),
  ),
  missing: z.array(z.string()).describe('Commit shas of the chunk that this repository does not have.'),
  files: z.array(
    z.object({
      path: z.string(),
      status: z.string().describe('A added, M modified, D deleted, T type changed (over all the commits)'),
      additions: z.number().int().nullable(),
      deletions: z.number().int().nullable(),
    }),
  ),
  diff: z
    .string()
    .describe('The unified diff of each commit in task order, each after its `commit <sha>` line'),
  truncated: z.boolean().describe('The diff was cut at the size bound (the file list is complete).'),
});
export type ChunkDiffResponse = z.output<typeof chunkDiffSchema>;
