/** Token counts of one or more Messages API calls, as the API reports them. */
export interface LlmUsage {
  /** Uncached input tokens (after the last cache breakpoint). */
  inputTokens: number;
  outputTokens: number;
  /** Input tokens written to the prompt cache (billed at 1.25x input for the 5-minute cache). */
  cacheCreationInputTokens: number;
  /** Input tokens read from the prompt cache. */
  cacheReadInputTokens: number;
}

type ApiUsage = {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
};

const count = (n: number | null | undefined): number => (typeof n === 'number' && Number.isFinite(n) ? n : 0);

/** Converts the API's `usage` object (fields may be absent or null) into LlmUsage. */
export function usageFromApi(u: ApiUsage | null | undefined): LlmUsage {
  return {
    inputTokens: count(u?.input_tokens),
    outputTokens: count(u?.output_tokens),
    cacheCreationInputTokens: count(u?.cache_creation_input_tokens),
    cacheReadInputTokens: count(u?.cache_read_input_tokens),
  };
}

export function addUsage(a: LlmUsage, b: LlmUsage): LlmUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheCreationInputTokens: a.cacheCreationInputTokens + b.cacheCreationInputTokens,
    cacheReadInputTokens: a.cacheReadInputTokens + b.cacheReadInputTokens,
  };
}

export const zeroUsage = (): LlmUsage => usageFromApi(null);

/** USD per million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
  /** Cache hits as a fraction of the input price; 0.1 unless the price list says otherwise. */
  cacheRead?: number;
  /** Requests whose whole prompt exceeds `threshold` tokens pay these rates on every token. */
  longPrompt?: { threshold: number; input: number; output: number };
}

/** 5-minute cache writes (what `cache_control: {type: 'ephemeral'}` uses) cost 1.25x input. */
export const CACHE_WRITE_FACTOR = 1.25;
/** Cache hits cost 0.1x input for most models. */
export const CACHE_READ_FACTOR = 0.1;

/** The date the table below was last checked against the price list (shown by `chunkwise usage`). */
export const PRICE_TABLE_DATE = '2026-10-07';

/**
 * Standard (non-batch) API prices, USD per million tokens.
 * Source: https://platform.claude.com/docs/en/about-claude/pricing ("Model pricing") and the
 * per-model pages, checked 2026-10. Sonnet 5.5 cache hits were cut to 0.05x input on 2026-10-07.
 * Keys are model ids without the date suffix; the longest matching key wins.
 */
export const MODEL_PRICES: Readonly<Record<string, ModelPrice>> = {
  'claude-fable-5-1': { input: 10, output: 50, cacheRead: 0.025 },
  'claude-mythos-5-1': { input: 10, output: 50, cacheRead: 0.025 },
  'claude-fable-5': { input: 10, output: 50 },
  'claude-mythos-5': { input: 10, output: 50 },
  'claude-mythos-preview': { input: 10, output: 50 },
  'claude-opus-5-5': { input: 4, output: 20, cacheRead: 0.05 },
  'claude-opus-5': { input: 5, output: 25 },
  'claude-opus-4-8': { input: 5, output: 25 },
  'claude-opus-4-7': { input: 5, output: 25 },
  'claude-opus-4-6': { input: 5, output: 25 },
  'claude-opus-4-5': { input: 5, output: 25 },
  'claude-opus-4-1': { input: 15, output: 75 },
  'claude-opus-4': { input: 15, output: 75 },
  'claude-3-opus': { input: 15, output: 75 },
  'claude-sonnet-5-5': { input: 2, output: 10, cacheRead: 0.05 },
  'claude-sonnet-5': { input: 2, output: 10 },
  'claude-sonnet-4-6': { input: 3, output: 15 },
  'claude-sonnet-4-5': { input: 3, output: 15 },
  'claude-sonnet-4': { input: 3, output: 15 },
  'claude-3-7-sonnet': { input: 3, output: 15 },
  'claude-3-5-sonnet': { input: 3, output: 15 },
  'claude-haiku-5-5': {
    input: 0.1,
    output: 0.5,
    longPrompt: { threshold: 100_000, input: 0.5, output: 2.5 },
  },
  'claude-haiku-4-5': { input: 1, output: 5 },
  'claude-3-5-haiku': { input: 0.8, output: 4 },
  'claude-3-haiku': { input: 0.25, output: 1.25 },
};

/** For model ids not in the table: the current price of the family named in the id. */
const FAMILY_PRICES: ReadonlyArray<[RegExp, ModelPrice]> = [
  [/opus/, { input: 5, output: 25 }],
  [/sonnet/, { input: 2, output: 10 }],
  [/haiku/, { input: 1, output: 5 }],
];

const KEYS_LONGEST_FIRST = Object.keys(MODEL_PRICES).sort((a, b) => b.length - a.length);
/** What may follow a table key in a real id: a date, `-latest`, a Vertex `@date`, `[1m]`, a Bedrock `-v1:0`. */
const SUFFIX = /^(?:[-@]\d{8}|-latest|\[|[-:]v\d)/;

/**
 * Prices from configuration (CHUNKWISE_PRICES, see docs/cost.md) that take precedence over the table:
 * set once per process at start-up, keyed like the table (the longest matching key wins).
 */
let overrides: Readonly<Record<string, ModelPrice>> = {};
let overrideKeys: string[] = [];

export function configurePrices(prices: Readonly<Record<string, ModelPrice>>): void {
  overrides = Object.fromEntries(Object.entries(prices).map(([k, v]) => [k.toLowerCase(), v]));
  overrideKeys = Object.keys(overrides).sort((a, b) => b.length - a.length);
}

function matchKey(id: string, keys: readonly string[]): string | null {
  for (const key of keys) {
    if (id.startsWith(key)) {
      const rest = id.slice(key.length);
      if (rest === '' || SUFFIX.test(rest)) return key;
    }
  }
  return null;
}

export function priceFor(model: string): ModelPrice | null {
  const lower = model.toLowerCase();
  // Bedrock ids carry a provider prefix ("us.anthropic.claude-…").
  const id = lower.includes('claude') ? lower.slice(lower.indexOf('claude')) : lower;
  const configured = matchKey(lower, overrideKeys) ?? matchKey(id, overrideKeys);
  if (configured) return overrides[configured];
  const listed = matchKey(id, KEYS_LONGEST_FIRST);
  if (listed) return MODEL_PRICES[listed];
  for (const [pattern, price] of FAMILY_PRICES) if (pattern.test(id)) return price;
  return null;
}

/** Estimated cost in USD of `usage` on `model`; 0 when the model is unknown. */
export function estimateCostUsd(model: string, usage: LlmUsage): number {
  const price = priceFor(model);
  if (!price) return 0;
  const prompt = usage.inputTokens + usage.cacheCreationInputTokens + usage.cacheReadInputTokens;
  const long = price.longPrompt && prompt > price.longPrompt.threshold ? price.longPrompt : null;
  const input = long?.input ?? price.input;
  const output = long?.output ?? price.output;
  const perMillion =
    usage.inputTokens * input +
    usage.cacheCreationInputTokens * input * CACHE_WRITE_FACTOR +
    usage.cacheReadInputTokens * input * (price.cacheRead ?? CACHE_READ_FACTOR) +
    usage.outputTokens * output;
  return perMillion / 1_000_000;
}
