import * as path from 'node:path';
import { executionSettingsWriteSchema } from '@chunkwise/domain';
import { z } from 'zod';

/** The body of POST /repositories (its meaning, e.g. "a git work tree", is checked by RepositoryService). */
export const registerRepositoryBodySchema = z
  .object({
    path: z
      .string()
      .min(1)
      .max(4096)
      .refine((p) => path.isAbsolute(p), 'path must be absolute (a git repository on the worker machine)'),
    name: z.string().min(1).max(200).optional(),
    defaults: executionSettingsWriteSchema
      .optional()
      .describe('Execution defaults of plans targeting this repository; plan settings override them.'),
  })
  .strict();
export type RegisterRepositoryBody = z.output<typeof registerRepositoryBodySchema>;
