import * as path from 'node:path';
import { z } from 'zod';
import { DEFAULT_LLM_MODEL } from '@chunkwise/llm';
import { COMMAND_NAME } from './workspace-tools-command';

/** The `execution.agent` block that selects the Messages API tool-loop runner. */
export const anthropicAgentSchema = z
  .object({
    type: z.literal('anthropic'),
    model: z
      .string()
      .regex(/^[A-Za-z0-9._:@[\]/-]+$/, 'model must be a model id such as claude-sonnet-5-5')
      .default(DEFAULT_LLM_MODEL),
    /** Output tokens per API response (not per turn). */
    maxTokens: z.number().int().min(256).max(128_000).default(16_000),
    /** Tool round-trips per turn; a model that wants more fails the turn. */
    maxToolRounds: z.number().int().min(1).max(1000).default(40),
    /** Programs run_command may start, matched exactly; empty (the default) allows none. */
    allowCommands: z
      .array(
        z.string().refine((c) => COMMAND_NAME.test(c) || (path.isAbsolute(c) && !c.includes('\0')), {
          error: (issue) =>
            `allowCommands entries are program names like "npm" or absolute paths, not "${String(issue.input)}" (the model gives arguments per call)`,
        }),
      )
      .max(100)
      .default([]),
    /** Wall-clock limit of one run_command call; its process group is killed after it. */
    commandTimeoutMs: z.number().int().min(1000).max(3_600_000).default(120_000),
    /** Limit of the whole turn, as for the other runners. */
    timeoutSec: z.number().int().positive().max(86_400).default(1800),
    /**
     * Hard ceiling on one turn's estimated cost (USD): a runaway turn is stopped after the response
     * that passes it, and fails saying so (docs/cost.md). Budgets never cut a turn; this does.
     */
    maxTurnCostUsd: z.number().positive().max(10_000).optional(),
  })
  .strict();

export type AnthropicAgentConfig = z.infer<typeof anthropicAgentSchema>;
export type AnthropicAgentInput = z.input<typeof anthropicAgentSchema>;

/** An agent block that does not validate; the message names every offending field. */
export class AgentConfigError extends Error {
  override name = 'AgentConfigError';
  constructor(readonly issues: string[]) {
    super(`invalid execution.agent: ${issues.join('; ')}`);
  }
}

export function parseAnthropicAgentConfig(input: unknown): AnthropicAgentConfig {
  const r = anthropicAgentSchema.safeParse(input);
  if (r.success) return r.data;
  throw new AgentConfigError(
    r.error.issues.map((i) => `${['agent', ...i.path.map(String)].join('.')}: ${i.message}`),
  );
}
