import { z } from 'zod';
import type { LlmUsage } from './pricing';

/** One Messages API call, for cost accounting and audit. */
export interface LlmCallRecord {
  callId: string;
  purpose: string;
  model: string;
  usage: LlmUsage;
  costUsd: number;
  durationMs: number;
  /** True for the repair turn that followed an invalid answer. */
  repaired: boolean;
}

export interface StructuredRequest<T> {
  /** 'generate' | 'review' | 'refine-draft' | 'refine-judge' | 'refine-single' | ... */
  purpose: string;
  /** Instructions. */
  system: string;
  /** Large stable context (repository tree, current plan): sent as a prompt-cached system block. */
  context?: string;
  /** The user turn. */
  prompt: string;
  schema: z.ZodType<T>;
  toolName: string;
  toolDescription: string;
  maxTokens?: number;
  signal?: AbortSignal;
}

export interface StructuredResult<T> {
  value: T;
  calls: LlmCallRecord[];
}

export interface LlmPort {
  readonly model: string;
  structured<T>(request: StructuredRequest<T>): Promise<StructuredResult<T>>;
}

/** The model's output was invalid even after the repair turn; the caller must write nothing. */
export class LlmOutputError extends Error {
  constructor(
    message: string,
    readonly issues: string[],
    readonly calls: LlmCallRecord[],
  ) {
    super(message);
    this.name = 'LlmOutputError';
  }
}

/** The API could not be used: no key, unreachable, or errors after all retries. */
export class LlmUnavailableError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'LlmUnavailableError';
  }
}

export interface LlmConfig {
  apiKey: string | null;
  baseURL: string | null;
  model: string;
  maxTokens: number;
  maxRetries: number;
  timeoutMs: number;
}

/** A current Claude Sonnet model. */
export const DEFAULT_LLM_MODEL = 'claude-sonnet-5-5';

const positiveInt = (name: string) =>
  z.coerce
    .number({ error: `${name} must be a number` })
    .int(`${name} must be an integer`)
    .positive();

const llmEnvSchema = z.object({
  ANTHROPIC_API_KEY: z.string().optional(),
  ANTHROPIC_BASE_URL: z
    .url({ error: 'ANTHROPIC_BASE_URL must be a URL such as http://127.0.0.1:4000' })
    .optional(),
  CHUNKWISE_LLM_MODEL: z
    .string()
    .regex(/^[A-Za-z0-9._:@[\]/-]+$/, 'CHUNKWISE_LLM_MODEL must be a model id such as claude-sonnet-5-5')
    .default(DEFAULT_LLM_MODEL),
  CHUNKWISE_LLM_MAX_TOKENS: positiveInt('CHUNKWISE_LLM_MAX_TOKENS').default(16_000),
  CHUNKWISE_LLM_MAX_RETRIES: z.coerce
    .number({ error: 'CHUNKWISE_LLM_MAX_RETRIES must be a number' })
    .int('CHUNKWISE_LLM_MAX_RETRIES must be an integer')
    .min(0)
    .max(20)
    .default(4),
  /** Per-request timeout; the SDK's default is 10 minutes. Requests are streamed, so this bounds silence. */
  CHUNKWISE_LLM_TIMEOUT_MS: positiveInt('CHUNKWISE_LLM_TIMEOUT_MS').default(600_000),
});

export class LlmConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid LLM configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'LlmConfigError';
  }
}

/** Reads the LLM settings; throws LlmConfigError naming every bad variable (never echoing the key). */
export function llmConfigFromEnv(env: NodeJS.ProcessEnv): LlmConfig {
  const present = Object.fromEntries(
    Object.keys(llmEnvSchema.shape)
      .map((k) => [k, env[k]?.trim()] as const)
      .filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = llmEnvSchema.safeParse(present);
  if (!parsed.success) {
    throw new LlmConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  return {
    apiKey: e.ANTHROPIC_API_KEY ?? null,
    baseURL: e.ANTHROPIC_BASE_URL ?? null,
    model: e.CHUNKWISE_LLM_MODEL,
    maxTokens: e.CHUNKWISE_LLM_MAX_TOKENS,
    maxRetries: e.CHUNKWISE_LLM_MAX_RETRIES,
    timeoutMs: e.CHUNKWISE_LLM_TIMEOUT_MS,
  };
}
