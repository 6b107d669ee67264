import { FORMATS } from '@chunkwise/formats';
import { z } from 'zod';

/** How many files one import may carry (an OpenSpec change folder, a Task Master folder). */
export const MAX_IMPORT_FILES = 20;

const booleanString = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const fileSchema = z
  .object({
    name: z.string().min(1).max(1000).describe('File name or path within the folder, e.g. add-x/tasks.md'),
    content: z.string(),
  })
  .strict();

const importFields = {
  format: z
    .enum(['auto', ...FORMATS])
    .optional()
    .describe('The source format; auto (default) recognises it from the file name and content.'),
  filename: z
    .string()
    .min(1)
    .max(1000)
    .optional()
    .describe('Name of the imported file (helps recognition, recorded).'),
  tag: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('Task Master: the tag to import (default: current, else master).'),
  title: z.string().min(1).max(500).optional().describe('Overrides the title found in the source.'),
  repository: z.string().min(1).max(4096).optional().describe('The repository the plan targets.'),
};
const inferDependencies =
  'Dependencies written in words ("Depends on: 1.2") that name tasks of the plan become real dependencies when valid; the others stay warnings.';

/** `POST /api/plans/import` as JSON: one file's `content`, or a folder's `files`. */
export const importBodySchema = z
  .object({
    ...importFields,
    content: z.string().optional().describe('The text of the file to import.'),
    files: z
      .array(fileSchema)
      .min(1)
      .max(MAX_IMPORT_FILES)
      .optional()
      .describe('Several files (an OpenSpec change folder: proposal.md and tasks.md).'),
    allTags: z.boolean().optional().describe('Task Master: one plan per tag.'),
    inferDependencies: z.boolean().optional().describe(inferDependencies),
    dryRun: z.boolean().optional().describe('Return the plan and the warnings without storing anything.'),
  })
  .strict()
  .refine((b) => (b.content === undefined) !== (b.files === undefined), {
    message: 'give either content or files',
    path: ['content'],
  });

/** The same as multipart form fields (strings), the files uploaded as parts. */
export const importFormSchema = z
  .object({
    ...importFields,
    allTags: booleanString.optional(),
    inferDependencies: booleanString.optional().describe(inferDependencies),
    dryRun: booleanString.optional(),
  })
  .strict();

export type ImportBody = z.output<typeof importBodySchema>;

/** `GET /api/plans/:id/export?format=&revision=` */
export const exportQuerySchema = z
  .object({
    format: z.enum(FORMATS),
    revision: z
      .string()
      .regex(/^\d{1,9}$/, 'revision must be a positive integer')
      .transform(Number)
      .optional(),
    tag: z.string().min(1).max(200).optional(),
    /** Chunkwise format as JSON instead of YAML. */
    json: booleanString.optional(),
    /** The main file itself (Content-Disposition: attachment) instead of the JSON answer. */
    download: booleanString.optional(),
  })
  .strict();

const warningSchema = z.object({
  code: z.string(),
  message: z.string(),
  file: z.string().optional(),
  line: z.number().int().optional(),
  path: z.string().optional(),
});
const statsSchema = z.object({
  groups: z.number().int(),
  top: z.number().int(),
  sub: z.number().int(),
  done: z.object({ top: z.number().int(), sub: z.number().int() }),
  deps: z.number().int(),
  parallel: z.number().int(),
  optional: z.number().int(),
  cancelled: z.number().int(),
  textualDependencies: z.number().int(),
});
export const importResultSchema = z.object({
  id: z.string().optional().describe('The new plan (absent on a dry run).'),
  revision: z.number().int().optional(),
  format: z.enum(FORMATS),
  filename: z.string().optional(),
  sha256: z.string(),
  tag: z.string().optional(),
  chunks: z.number().int(),
  tasks: z.number().int(),
  stats: statsSchema,
  warnings: z.array(warningSchema),
  document: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('Dry run: the plan document that would be created.'),
});
export const importAnswerSchema = z.union([
  importResultSchema,
  z.object({ plans: z.array(importResultSchema) }).describe('allTags: one result per Task Master tag'),
]);
export const exportAnswerSchema = z.object({
  planId: z.string(),
  revision: z.number().int(),
  format: z.enum(FORMATS),
  files: z.array(z.object({ name: z.string(), content: z.string(), mediaType: z.string() })),
  warnings: z.array(warningSchema),
});
