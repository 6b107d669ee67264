import { addUsage, configurePrices, estimateCostUsd, priceFor, usageFromApi, type LlmUsage } from './pricing';

const usage = (u: Partial<LlmUsage>): LlmUsage => ({ ...usageFromApi(null), ...u });

describe('usageFromApi / addUsage', () => {
  it('treats missing and null fields as zero', () => {
    expect(usageFromApi(undefined)).toEqual(usage({}));
    expect(
      usageFromApi({
        input_tokens: 5,
        output_tokens: null,
        cache_creation_input_tokens: 7,
        cache_read_input_tokens: null,
      }),
    ).toEqual(usage({ inputTokens: 5, cacheCreationInputTokens: 7 }));
  });

  it('adds field by field', () => {
    expect(
      addUsage(
        usage({ inputTokens: 1, outputTokens: 2, cacheCreationInputTokens: 3, cacheReadInputTokens: 4 }),
        usage({ inputTokens: 10, outputTokens: 20, cacheCreationInputTokens: 30, cacheReadInputTokens: 40 }),
      ),
    ).toEqual(
      usage({ inputTokens: 11, outputTokens: 22, cacheCreationInputTokens: 33, cacheReadInputTokens: 44 }),
    );
  });
});

describe('estimateCostUsd', () => {
  it('prices input, output, cache writes (1.25x) and cache reads (0.1x) per million tokens', () => {
    const u = usage({
      inputTokens: 1_000_000,
      outputTokens: 1_000_000,
      cacheCreationInputTokens: 1_000_000,
      cacheReadInputTokens: 1_000_000,
    });
    // Sonnet 4.6: $3 in, $15 out → 3 + 15 + 3.75 + 0.30
    expect(estimateCostUsd('claude-sonnet-4-6', u)).toBeCloseTo(22.05, 10);
    // Opus 4.1: $15 / $75
    expect(estimateCostUsd('claude-opus-4-1', usage({ inputTokens: 2_000_000 }))).toBeCloseTo(30, 10);
  });

  it('matches dated, Vertex, Bedrock and 1M-context ids to their base model, the longest key first', () => {
    expect(priceFor('claude-sonnet-4-5-20250929')).toEqual(priceFor('claude-sonnet-4-5'));
    expect(priceFor('claude-opus-4-5@20251101')).toEqual({ input: 5, output: 25 });
    expect(priceFor('us.anthropic.claude-haiku-4-5-20251001-v1:0')).toEqual({ input: 1, output: 5 });
    expect(priceFor('claude-sonnet-5-5[1m]')).toMatchObject({ input: 2, output: 10 });
    expect(priceFor('claude-opus-4-20250514')).toEqual({ input: 15, output: 75 });
    expect(priceFor('claude-opus-4-5')).toEqual({ input: 5, output: 25 });
  });

  it('uses per-model cache-read rates where the price list has them', () => {
    expect(estimateCostUsd('claude-sonnet-5-5', usage({ cacheReadInputTokens: 1_000_000 }))).toBeCloseTo(
      0.1,
      10,
    );
  });

  it('applies the long-prompt tier of Haiku 5.5 to every token of the request', () => {
    expect(
      estimateCostUsd('claude-haiku-5-5', usage({ inputTokens: 100_000, outputTokens: 1_000_000 })),
    ).toBeCloseTo(0.01 + 0.5, 10);
    expect(estimateCostUsd('claude-haiku-5-5', usage({ inputTokens: 100_001 }))).toBeCloseTo(0.0500005, 10);
  });

  it('falls back to the family price by name, else 0', () => {
    expect(estimateCostUsd('claude-sonnet-9', usage({ inputTokens: 1_000_000 }))).toBe(2);
    expect(estimateCostUsd('claude-opus-next', usage({ outputTokens: 1_000_000 }))).toBe(25);
    expect(estimateCostUsd('Haiku-custom', usage({ inputTokens: 1_000_000 }))).toBe(1);
    expect(estimateCostUsd('gpt-whatever', usage({ inputTokens: 1_000_000 }))).toBe(0);
  });
});

describe('configured prices (CHUNKWISE_PRICES)', () => {
  afterEach(() => configurePrices({}));

  it('take precedence over the table, for their model only', () => {
    configurePrices({
      'claude-sonnet-4-5': { input: 1, output: 2 },
      'my-local-model': { input: 0.5, output: 0.5 },
    });
    expect(priceFor('claude-sonnet-4-5-20250929')).toEqual({ input: 1, output: 2 });
    expect(priceFor('my-local-model')).toEqual({ input: 0.5, output: 0.5 });
    expect(priceFor('claude-opus-4-5')).toEqual({ input: 5, output: 25 });
    configurePrices({});
    expect(priceFor('claude-sonnet-4-5')).toEqual({ input: 3, output: 15 });
  });
});
