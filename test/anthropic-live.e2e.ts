import { z } from 'zod';
import { AnthropicLlm, llmConfigFromEnv } from '@chunkwise/llm';

// Calls the real Anthropic API with a tiny structured request. Optional: it needs ANTHROPIC_API_KEY
// (and costs a fraction of a cent); everything else about the API is covered against the local fake.
const hasKey = !!process.env.ANTHROPIC_API_KEY?.trim();
if (!hasKey) {
  console.warn('anthropic-live.e2e: skipped because ANTHROPIC_API_KEY is not set');
}
const liveIt = hasKey ? it : it.skip;

describe(`Anthropic Messages API (live)${hasKey ? '' : ' — skipped: ANTHROPIC_API_KEY is not set'}`, () => {
  liveIt(
    'answers a tiny structured request through the tool call',
    async () => {
      const config = { ...llmConfigFromEnv(process.env), maxTokens: 512 };
      const llm = new AnthropicLlm(config, { logger: { warn: (m) => console.warn(m) } });
      const schema = z.object({
        answer: z.number().int().describe('The sum'),
        words: z.array(z.string()).length(2).describe('Two words that rhyme with "plan"'),
      });
      const result = await llm.structured({
        purpose: 'live-check',
        system: 'You are a precise assistant.',
        prompt: 'What is 17 + 25? Also give two words that rhyme with "plan".',
        schema,
        toolName: 'submit_answer',
        toolDescription: 'Submit the answer.',
      });
      expect(result.value.answer).toBe(42);
      expect(result.value.words).toHaveLength(2);
      expect(result.calls.length).toBeGreaterThanOrEqual(1);
      expect(result.calls[0].usage.inputTokens + result.calls[0].usage.cacheReadInputTokens).toBeGreaterThan(
        0,
      );
      expect(result.calls[0].usage.outputTokens).toBeGreaterThan(0);
      console.warn(
        `anthropic-live.e2e: ${result.calls.length} call(s) on ${result.calls[0].model}, ` +
          `$${result.calls.reduce((s, c) => s + c.costUsd, 0).toFixed(5)}`,
      );
    },
    120_000,
  );
});
