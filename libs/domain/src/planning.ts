import { z } from 'zod';

/**
 * Planning with an LLM, as the domain records it: which mode made a revision, and what every model
 * call cost. The LLM itself lives behind a port outside the domain; only its records come in here.
 */

export const planningModeSchema = z.enum(['generate', 'multi', 'single']);
/** `generate` made the first draft; `multi` (continue planning: drafts + judge) and `single` (quick edit) refine it. */
export type PlanningMode = z.infer<typeof planningModeSchema>;

export const llmUsageSchema = z.object({
  inputTokens: z.number().int().min(0),
  outputTokens: z.number().int().min(0),
  cacheCreationInputTokens: z.number().int().min(0),
  cacheReadInputTokens: z.number().int().min(0),
});

/** One model call: what it was for, which model, tokens and estimated cost. */
export const llmCallSchema = z.object({
  callId: z.string().min(1).max(200),
  purpose: z.string().min(1).max(100),
  model: z.string().min(1).max(200),
  usage: llmUsageSchema,
  costUsd: z.number().min(0),
  durationMs: z.number().min(0),
  repaired: z.boolean(),
});

export type LlmUsageRecord = z.infer<typeof llmUsageSchema>;
export type LlmCall = z.infer<typeof llmCallSchema>;

export interface PlanUsage extends LlmUsageRecord {
  calls: number;
  costUsd: number;
  /** Totals per call purpose (generate, review, refine-draft, ...). */
  byPurpose: Record<string, LlmUsageRecord & { calls: number; costUsd: number }>;
}

export const emptyUsage = (): PlanUsage => ({
  calls: 0,
  inputTokens: 0,
  outputTokens: 0,
  cacheCreationInputTokens: 0,
  cacheReadInputTokens: 0,
  costUsd: 0,
  byPurpose: {},
});

function add<T extends LlmUsageRecord & { calls: number; costUsd: number }>(total: T, call: LlmCall): T {
  return {
    ...total,
    calls: total.calls + 1,
    inputTokens: total.inputTokens + call.usage.inputTokens,
    outputTokens: total.outputTokens + call.usage.outputTokens,
    cacheCreationInputTokens: total.cacheCreationInputTokens + call.usage.cacheCreationInputTokens,
    cacheReadInputTokens: total.cacheReadInputTokens + call.usage.cacheReadInputTokens,
    // Rounded to micro-dollars so sums stay stable across replays.
    costUsd: Math.round((total.costUsd + call.costUsd) * 1e6) / 1e6,
  };
}

/** Adds one call to a plan's usage totals. */
export function addCall(usage: PlanUsage, call: LlmCall): PlanUsage {
  const { byPurpose, ...rest } = usage;
  const purpose = byPurpose[call.purpose] ?? { ...emptyUsage(), byPurpose: undefined };
  const { byPurpose: _unused, ...purposeTotals } = purpose as PlanUsage;
  return {
    ...add({ ...rest, byPurpose }, call),
    byPurpose: { ...byPurpose, [call.purpose]: add(purposeTotals, call) },
  };
}
