import * as path from 'node:path';
import { launchRunSchema, runsUsage, type ChatSessionState } from '@chunkwise/domain';
import { z } from 'zod';

const absolute = (what: string) =>
  z
    .string()
    .min(1)
    .max(4096)
    .refine(
      (p) => path.isAbsolute(p) && !p.split(/[\\/]/).includes('..'),
      `${what} must be an absolute path without ..`,
    );

export const createChatBodySchema = z.strictObject({
  project: absolute('project')
    .optional()
    .describe(
      'The project workspace directory (CONTEXT.md, filepaths.json, runs/, deliverables/); created if missing',
    ),
  repository: z
    .string()
    .min(1)
    .max(4096)
    .optional()
    .describe(
      'Where runs execute: a registered repository (repo:<id>) or a git work tree path; default: the project when it is one',
    ),
});

export const chatMessageBodySchema = z.strictObject({
  content: z.string().trim().min(1, 'content must not be empty').max(100_000),
});

export const approvalBodySchema = z
  .strictObject({
    decision: z.enum(['approve', 'edit', 'cancel']),
    params: launchRunSchema.optional().describe('The edited launch_run parameters (decision edit)'),
  })
  .refine((b) => b.decision !== 'edit' || b.params, { message: 'edit needs params', path: ['params'] });

export const cancelChatRunBodySchema = z.strictObject({ reason: z.string().max(2000).optional() });

const usage = z.object({
  calls: z.number(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  cacheCreationInputTokens: z.number(),
  cacheReadInputTokens: z.number(),
  costUsd: z.number(),
});

export const chatSessionSummarySchema = z.object({
  id: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  project: z.string().nullable(),
  repository: z.string().nullable(),
  lastMessage: z.string(),
  messages: z.number(),
  runs: z.number(),
  pendingApproval: z.string().nullable(),
  costUsd: z.number(),
});

export const chatSessionViewSchema = z.object({
  id: z.string(),
  revision: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
  project: z.string().nullable(),
  repository: z.string().nullable(),
  model: z.string(),
  messages: z.array(
    z.object({ role: z.enum(['user', 'assistant']), content: z.array(z.unknown()), at: z.string() }),
  ),
  compaction: z.object({ summary: z.string(), through: z.number(), at: z.string() }).nullable(),
  pending: z.unknown().nullable(),
  runs: z.array(z.unknown()),
  usage: z.object({ conversation: usage, runs: usage, totalCostUsd: z.number() }),
});

export const CHAT_OPENAPI_SCHEMAS: Record<string, { schema: z.ZodType; io: 'input' | 'output' }> = {
  CreateChatSession: { schema: createChatBodySchema, io: 'input' },
  ChatMessage: { schema: chatMessageBodySchema, io: 'input' },
  RunApproval: { schema: approvalBodySchema, io: 'input' },
  CancelChatRun: { schema: cancelChatRunBodySchema, io: 'input' },
  ChatSessionSummary: { schema: chatSessionSummarySchema, io: 'output' },
  ChatSessionList: { schema: z.array(chatSessionSummarySchema), io: 'output' },
  ChatSession: { schema: chatSessionViewSchema, io: 'output' },
};

/** A session as the API shows it: the conversation, the runs in launch order, and what they cost. */
export function chatSessionView(s: ChatSessionState): z.infer<typeof chatSessionViewSchema> {
  const runs = runsUsage(s);
  return {
    id: s.sessionId,
    revision: s.revision,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    project: s.project,
    repository: s.repository,
    model: s.model,
    messages: s.messages,
    compaction: s.compaction,
    pending: s.pending,
    runs: s.runOrder.map((id) => s.runs[id]),
    usage: { conversation: s.usage, runs, totalCostUsd: s.usage.costUsd + runs.costUsd },
  };
}
