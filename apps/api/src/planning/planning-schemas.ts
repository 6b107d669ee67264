import {
  chunkSchema,
  MAX_TEXT,
  taskSchema,
  reviewScopeSchema,
  reviewTypeSchema,
  suggestionSchema,
  type SuggestionSetState,
} from '@chunkwise/domain';
import { z } from 'zod';
import { expectedRevisionSchema, planUsageSchema, writeResultSchema } from '../common/api-schemas';

export const generateBodySchema = z.object({
  title: z.string().min(1, 'title must not be empty').max(500),
  description: z.string().min(1, 'description must not be empty').max(MAX_TEXT),
  repository: z
    .string()
    .min(1)
    .max(4096)
    .nullable()
    .optional()
    .describe(
      'A path on the API machine or a registered repository (repo:<id>); its tree and key files become context',
    ),
  targetChunks: z.number().int().min(1).max(50).optional(),
  depth: z.enum(['brief', 'standard', 'detailed']).optional(),
});

export const reviewBodySchema = z
  .object({
    type: reviewTypeSchema,
    scope: reviewScopeSchema.default('all'),
    targetId: z.string().min(1).max(100).nullable().optional(),
    expectedRevision: expectedRevisionSchema,
  })
  .refine((b) => b.scope === 'all' || !!b.targetId, {
    message: 'targetId is required when scope is chunk or task',
    path: ['targetId'],
  });

export const applyBodySchema = z.object({
  ids: z.array(z.string().min(1).max(100)).min(1, 'choose at least one suggestion id').max(100),
  expectedRevision: expectedRevisionSchema,
});

export const refineBodySchema = z.object({
  feedback: z.string().trim().min(1, 'feedback must not be empty').max(MAX_TEXT),
  mode: z.enum(['multi', 'single']).default('multi'),
  drafts: z.number().int().min(2).max(5).optional(),
  author: z.string().min(1).max(200).optional(),
  expectedRevision: expectedRevisionSchema,
});

export const diffQuerySchema = z.object({
  from: z.coerce.number({ error: 'from must be a revision number' }).int().min(1),
  to: z.coerce.number({ error: 'to must be a revision number' }).int().min(1),
});

export const suggestionSetSchema = z.object({
  planId: z.string(),
  setId: z.string(),
  revision: z.number().int().describe('The plan revision the review was made against'),
  reviewType: reviewTypeSchema,
  scope: reviewScopeSchema,
  targetId: z.string().nullable(),
  suggestions: z.array(suggestionSchema),
  applied: z.array(z.string()),
});

export const suggestionSetView = (planId: string, set: SuggestionSetState) => ({ planId, ...set });

const fieldChanges = z.record(z.string(), z.object({ from: z.unknown(), to: z.unknown() }));
export const planDiffSchema = z.object({
  planId: z.string(),
  from: z.number().int(),
  to: z.number().int(),
  diff: z.object({
    details: fieldChanges,
    chunks: z.object({
      added: z.array(chunkSchema),
      removed: z.array(chunkSchema),
      changed: z.array(z.object({ key: z.string(), changes: fieldChanges })),
      reordered: z.boolean(),
    }),
    tasks: z.object({
      added: z.array(taskSchema),
      removed: z.array(taskSchema),
      changed: z.array(z.object({ id: z.string(), changes: fieldChanges })),
    }),
  }),
});

export const refineResultSchema = writeResultSchema.extend({
  mode: z.enum(['multi', 'single']),
  planningIterations: z.number().int(),
  rationale: z.string().nullable().describe("Multi mode: the judge's reasoning"),
  summary: z.string(),
  usage: planUsageSchema,
});

/** The planning routes' schemas, merged into the OpenAPI document's components. */
export const PLANNING_OPENAPI_SCHEMAS: Record<string, { schema: z.ZodType; io: 'input' | 'output' }> = {
  GeneratePlan: { schema: generateBodySchema, io: 'input' },
  ReviewPlan: { schema: reviewBodySchema, io: 'input' },
  ApplySuggestions: { schema: applyBodySchema, io: 'input' },
  RefinePlan: { schema: refineBodySchema, io: 'input' },
  SuggestionSet: { schema: suggestionSetSchema, io: 'output' },
  RefineResult: { schema: refineResultSchema, io: 'output' },
  PlanDiff: { schema: planDiffSchema, io: 'output' },
  PlanUsage: { schema: planUsageSchema.extend({ planId: z.string() }), io: 'output' },
};
