import {
  MAX_TEMPLATE_PARAM_VALUE,
  templateDefinitionSchema,
  templateNameSchema,
  templateParameterSchema,
} from '@chunkwise/domain';
import { z } from 'zod';
import { writeResultSchema } from '../common/api-schemas';

const versionSchema = z
  .number()
  .int()
  .min(0)
  .optional()
  .describe(
    'The template version this save is based on (0: a new template, or over the built-in one); a stale one is refused with 409.',
  );
/** Parameter values: plain text, never evaluated. */
const paramValuesSchema = z
  .record(z.string().max(64), z.string().max(MAX_TEMPLATE_PARAM_VALUE))
  .describe('Parameter values by name (plain text)');

/** POST /templates: a template definition (checked by the domain), with the version it is based on. */
export const saveTemplateBodySchema = templateDefinitionSchema.extend({ expectedVersion: versionSchema });

/** POST /plans/:id/template: save a plan's current content as a template. */
export const savePlanAsTemplateBodySchema = z
  .object({
    name: templateNameSchema,
    title: z.string().min(1).max(200).optional(),
    description: z.string().max(5000).optional(),
    params: z
      .record(z.string().max(64), z.string().min(2).max(MAX_TEMPLATE_PARAM_VALUE))
      .optional()
      .describe('Parameter → the literal text of the plan it replaces by {{parameter}}'),
    descriptions: z.record(z.string().max(64), z.string().max(500)).optional(),
    expectedVersion: versionSchema,
  })
  .strict();

/** POST /templates/:name/plans: render and create a draft plan. */
export const createFromTemplateBodySchema = z
  .object({
    params: paramValuesSchema.default({}),
    version: z.number().int().min(0).optional().describe('Default: the latest version'),
    repository: z
      .string()
      .min(1)
      .max(4096)
      .nullable()
      .optional()
      .describe("The plan's target repository (a path or repo:<id>), instead of the template's"),
  })
  .strict();

export const templateQuerySchema = z
  .object({
    version: z
      .string()
      .regex(/^\d{1,9}$/, 'version must be a non-negative integer')
      .transform(Number)
      .optional(),
  })
  .strict();

const parameterOut = templateParameterSchema.extend({ required: z.boolean() });
const sourceSchema = z.object({
  kind: z.enum(['builtin', 'api', 'plan']),
  planId: z.string().optional(),
  planRevision: z.number().int().optional(),
});
export const templateSummarySchema = z.object({
  name: z.string(),
  title: z.string(),
  description: z.string(),
  parameters: z.array(parameterOut),
  version: z.number().int(),
  builtin: z.boolean(),
  savedAt: z.string(),
});
export const templateVersionSchema = z.object({
  name: z.string(),
  title: z.string(),
  description: z.string(),
  parameters: z.array(parameterOut),
  document: z.record(z.string(), z.unknown()),
  version: z.number().int(),
  savedAt: z.string(),
  source: sourceSchema,
});
export const templateListSchema = z.object({ templates: z.array(templateSummarySchema) });
export const templateVersionListSchema = z.object({
  name: z.string(),
  versions: z.array(
    z.object({ version: z.number().int(), title: z.string(), savedAt: z.string(), source: sourceSchema }),
  ),
});
export const createdFromTemplateSchema = writeResultSchema.extend({
  template: z.object({ name: z.string(), version: z.number().int() }),
});

export type SaveTemplateBody = z.output<typeof saveTemplateBodySchema>;
export type SavePlanAsTemplateBody = z.output<typeof savePlanAsTemplateBodySchema>;
export type CreateFromTemplateBody = z.output<typeof createFromTemplateBodySchema>;

export const TEMPLATE_OPENAPI_SCHEMAS: Record<string, { schema: z.ZodType; io: 'input' | 'output' }> = {
  SaveTemplate: { schema: saveTemplateBodySchema, io: 'input' },
  SavePlanAsTemplate: { schema: savePlanAsTemplateBodySchema, io: 'input' },
  CreatePlanFromTemplate: { schema: createFromTemplateBodySchema, io: 'input' },
  TemplateSummary: { schema: templateSummarySchema, io: 'output' },
  TemplateList: { schema: templateListSchema, io: 'output' },
  Template: { schema: templateVersionSchema, io: 'output' },
  TemplateVersionList: { schema: templateVersionListSchema, io: 'output' },
  CreatedFromTemplate: { schema: createdFromTemplateSchema, io: 'output' },
};
