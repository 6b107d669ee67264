/**
 * The `command` agent's usage report (docs/agents.md, "Reporting usage"): an agent that knows what
 * it spent prints ONE JSON line `{"chunkwise_usage": {...}}` on stdout, or writes the same object
 * to the file named by $CHUNKWISE_USAGE_FILE. The last report wins. No report means the turn's
 * usage is unknown (null), never zero.
 */
import * as fs from 'node:fs/promises';
import { estimateCostUsd } from '@chunkwise/llm';
import { z } from 'zod';
import type { TurnResult } from './port';

export type ReportedUsage = NonNullable<TurnResult['usage']>;

const tokens = z.number().int().min(0).max(1e12);
/** snake_case as agents print it; camelCase accepted too. */
const reportSchema = z.object({
  input_tokens: tokens.optional(),
  output_tokens: tokens.optional(),
  cache_read_tokens: tokens.optional(),
  cache_write_tokens: tokens.optional(),
  inputTokens: tokens.optional(),
  outputTokens: tokens.optional(),
  cacheReadTokens: tokens.optional(),
  cacheWriteTokens: tokens.optional(),
  cost_usd: z.number().min(0).max(1e6).optional(),
  costUsd: z.number().min(0).max(1e6).optional(),
  model: z.string().min(1).max(200).optional(),
});

/** The report inside `{"chunkwise_usage": …}`; undefined when the value is not a wrapped report. */
const wrapped = (value: unknown): unknown =>
  value && typeof value === 'object' ? (value as { chunkwise_usage?: unknown }).chunkwise_usage : undefined;

/** Parses one report (the object inside `chunkwise_usage`); null when invalid. Cost is estimated from the model when absent. */
export function parseUsageReport(report: unknown): ReportedUsage | null {
  if (!report || typeof report !== 'object') return null;
  const r = reportSchema.safeParse(report);
  if (!r.success) return null;
  const u = r.data;
  const usage = {
    inputTokens: u.input_tokens ?? u.inputTokens ?? 0,
    outputTokens: u.output_tokens ?? u.outputTokens ?? 0,
    cacheReadTokens: u.cache_read_tokens ?? u.cacheReadTokens ?? 0,
    cacheCreationTokens: u.cache_write_tokens ?? u.cacheWriteTokens ?? 0,
  };
  const model = u.model ?? null;
  const reported = u.cost_usd ?? u.costUsd;
  const costUsd =
    reported ??
    (model
      ? estimateCostUsd(model, {
          inputTokens: usage.inputTokens,
          outputTokens: usage.outputTokens,
          cacheReadInputTokens: usage.cacheReadTokens,
          cacheCreationInputTokens: usage.cacheCreationTokens,
        })
      : null);
  return { ...usage, costUsd, model };
}

const MARKER = '"chunkwise_usage"';
const MAX_LINE = 64 * 1024;

/** Watches streamed stdout for report lines (across chunk boundaries); keeps the last one. */
export class UsageLineScanner {
  private partial = '';
  last: ReportedUsage | null = null;

  feed(chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    // A huge line without a newline is never a report: drop it rather than grow without bound.
    if (this.partial.length > MAX_LINE) this.partial = '';
    for (const line of lines) this.line(line);
  }

  end(): ReportedUsage | null {
    if (this.partial) this.line(this.partial);
    this.partial = '';
    return this.last;
  }

  private line(line: string): void {
    const t = line.trim();
    if (!t.startsWith('{') || !t.includes(MARKER)) return;
    try {
      this.last = parseUsageReport(wrapped(JSON.parse(t))) ?? this.last;
    } catch {
      // not JSON: an ordinary line that happens to mention the marker
    }
  }
}

/** Reads the report file when the agent wrote one (then removes it, so the next turn starts clean). */
export async function readUsageFile(file: string): Promise<ReportedUsage | null> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return null;
  }
  await fs.rm(file, { force: true });
  const lines = text.trim().split('\n').reverse();
  for (const line of lines) {
    try {
      const usage = parseUsageReport(wrapped(JSON.parse(line)));
      if (usage) return usage;
    } catch {
      // try the whole text below
    }
  }
  try {
    const value: unknown = JSON.parse(text);
    return parseUsageReport(wrapped(value) ?? value);
  } catch {
    return null;
  }
}
